from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from agent.context import is_evaluating
from agent.models import Conversation, Customer

PRIORITIES = ("low", "normal", "high", "urgent")
# Short enough to read as one line in Zendesk's views and to fit the ticket table's column.
SUBJECT_MAX_LENGTH = 150
INTENT_MAX_LENGTH = 64


@dataclass(frozen=True)
class TicketRef:
    """A ticket as the agent may describe it to the customer it belongs to."""

    reference: str  # "T-…" for built-in tickets, the Zendesk ticket id for Zendesk
    status: str  # open / pending / solved
    subject: str
    created_at: datetime  # timezone-aware
    url: str = ""  # a link for support staff, if the backend has one


class TicketingError(Exception):
    """A ticket could not be created or read; the message is fit for a trace and for the LLM."""


class RetryableTicketingError(TicketingError):
    """A passing failure (timeout, connection error, 5xx, 429): the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the backend asked us to wait, when it said


class PermanentTicketingError(TicketingError):
    """A failure that repeating the call will not fix: rejected request, malformed answer, bad config."""


class TicketingBackend(abc.ABC):
    """Opens tickets for support staff and lists a customer's recent ones."""

    @abc.abstractmethod
    def create_ticket(
        self,
        *,
        customer: Customer,
        subject: str,
        description: str,
        intent: str = "",
        conversation: Conversation | None = None,
        priority: str = "normal",
    ) -> TicketRef:
        """Open a ticket for `customer` and return its reference; `description` is what staff read first."""

    @abc.abstractmethod
    def recent_tickets(self, *, customer: Customer, limit: int = 5) -> list[TicketRef]:
        """Up to `limit` of `customer`'s own tickets, newest first."""


def clean_ticket_fields(
    *, subject: str, description: str, intent: str, priority: str
) -> tuple[str, str, str]:
    """Subject (one line, shortened), description and intent to store; rejects what no backend accepts."""
    subject = " ".join(subject.split())
    description = description.strip()
    intent = intent.strip()
    if not subject:
        raise PermanentTicketingError("A ticket needs a subject.")
    if not description:
        raise PermanentTicketingError("A ticket needs a description of the customer's problem.")
    if priority not in PRIORITIES:
        raise PermanentTicketingError(
            f"Ticket priority must be one of {', '.join(PRIORITIES)}, not {priority!r}."
        )
    if len(intent) > INTENT_MAX_LENGTH:
        raise PermanentTicketingError(f"A ticket's intent must be at most {INTENT_MAX_LENGTH} characters.")
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    return subject, description, intent


def get_ticketing_backend() -> TicketingBackend:
    """The configured backend: `builtin` (the ticket table) by default, or `zendesk`. An evaluation always
    gets the built-in one: its hand-overs must not reach the support team's real queue."""
    if settings.TICKETING_BACKEND == "builtin" or is_evaluating():
        from .builtin import BuiltinTicketing

        return BuiltinTicketing()
    if settings.TICKETING_BACKEND == "zendesk":
        from .zendesk import ZendeskTicketing

        required = ("ZENDESK_URL", "ZENDESK_EMAIL", "ZENDESK_API_TOKEN")
        missing = [name for name in required if not getattr(settings, name, "")]
        if missing:
            raise ImproperlyConfigured(f"TICKETING_BACKEND is zendesk but {', '.join(missing)} is not set.")
        if not settings.ZENDESK_URL.startswith(("https://", "http://")):
            raise ImproperlyConfigured(
                f"ZENDESK_URL must be a full URL such as https://lumenbank.zendesk.com, "
                f"not {settings.ZENDESK_URL!r}."
            )
        return ZendeskTicketing(
            base_url=settings.ZENDESK_URL,
            email=settings.ZENDESK_EMAIL,
            api_token=settings.ZENDESK_API_TOKEN,
            timeout=settings.EXTERNAL_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(
        f"TICKETING_BACKEND must be builtin or zendesk, not {settings.TICKETING_BACKEND!r}."
    )
