"""Zendesk Support's tickets API: open a ticket for a customer, list the tickets they requested.

The connector never retries: it raises RetryableTicketingError (with Retry-After when Zendesk sent one) or
PermanentTicketingError, and the tool runner decides whether to call again.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, LocationValueError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

from agent.models import Conversation, Customer

from .base import (
    PermanentTicketingError,
    RetryableTicketingError,
    TicketingBackend,
    TicketRef,
    clean_ticket_fields,
)

# Zendesk's statuses as its own help centre shows them to end users: new and on-hold read as open.
STATUSES = {
    "new": "open",
    "open": "open",
    "hold": "open",
    "pending": "pending",
    "solved": "solved",
    "closed": "solved",
}
ERROR_TEXT_MAX_LENGTH = 300
PER_PAGE_MAX = 100  # Zendesk's largest page
RETRYABLE_STATUSES = {408, 429}

# One pool for the process, so calls reuse keep-alive connections; retries off, the tool runner owns them.
_pool = urllib3.PoolManager(retries=False, maxsize=10)


class ZendeskAPI:
    """Zendesk's REST API, authenticated with an agent's API token: one JSON request at a time, each failure
    typed as worth retrying or not."""

    def __init__(self, *, base_url: str, email: str, api_token: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = urllib3.Timeout(connect=timeout, read=timeout)
        self.headers = {
            **urllib3.make_headers(basic_auth=f"{email}/token:{api_token}"),
            "Accept": "application/json",
            "User-Agent": "supportagent",
        }

    def _request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        fields: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Zendesk's JSON answer to one request, or a typed error saying whether trying again may help."""
        headers = dict(self.headers)
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body).encode()
        try:
            response = _pool.request(
                method,
                self.base_url + path,
                fields=fields,
                body=payload,
                headers=headers,
                timeout=self.timeout,
            )
        except LocationValueError as exc:
            raise PermanentTicketingError(
                f"ZENDESK_URL {self.base_url!r} is not a usable URL: {exc}"
            ) from exc
        except NewConnectionError as exc:
            raise RetryableTicketingError(f"Could not connect to Zendesk to {action}: {exc}") from exc
        except Urllib3TimeoutError as exc:
            raise RetryableTicketingError(
                f"Zendesk did not answer within {self.timeout.read_timeout} s when asked to {action}."
            ) from exc
        except HTTPError as exc:
            raise RetryableTicketingError(
                f"The connection to Zendesk failed while trying to {action}: {exc}"
            ) from exc

        status = response.status
        if status in RETRYABLE_STATUSES or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
            busy = "is limiting our request rate" if status == 429 else "had a passing failure"
            raise RetryableTicketingError(
                f"Zendesk {busy} (HTTP {status}) when asked to {action}{wait}.", retry_after=retry_after
            )
        if status >= 400:
            raise PermanentTicketingError(
                f"Zendesk refused to {action} (HTTP {status}): {error_text(response.data)}"
            )
        if not 200 <= status < 300:
            raise PermanentTicketingError(
                f"Zendesk answered HTTP {status} when asked to {action}; check ZENDESK_URL."
            )
        try:
            answer = json.loads(response.data)
        except ValueError as exc:  # includes bad UTF-8
            raise PermanentTicketingError(f"Zendesk's answer when asked to {action} was not JSON.") from exc
        if not isinstance(answer, dict):
            raise PermanentTicketingError(f"Zendesk's answer when asked to {action} was not a JSON object.")
        return answer


class ZendeskTicketing(ZendeskAPI, TicketingBackend):
    """Tickets in Zendesk Support."""

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
        """Open a Zendesk ticket requested by `customer` (found or created by email)."""
        subject, description, intent = clean_ticket_fields(
            subject=subject, description=description, intent=intent, priority=priority
        )
        if not customer.email:
            raise PermanentTicketingError(
                "This customer has no email address, so Zendesk cannot take them as a ticket's requester."
            )
        ticket: dict[str, Any] = {
            "subject": subject,
            "comment": {"body": description},
            "priority": priority,
            "tags": [zendesk_tag(intent)] if intent else [],
            "requester": {"name": customer.name or customer.email, "email": customer.email},
        }
        if conversation is not None:
            ticket["external_id"] = str(conversation.public_id)
        answer = self._request(
            "POST", "/api/v2/tickets.json", action="create the ticket", body={"ticket": ticket}
        )
        return self._ticket_ref(answer.get("ticket"))

    def recent_tickets(self, *, customer: Customer, limit: int = 5) -> list[TicketRef]:
        """The newest tickets `customer` requested in Zendesk; none if Zendesk does not know them."""
        if limit <= 0:
            return []
        user_id = self._find_requester(customer)
        if user_id is None:
            return []
        answer = self._request(
            "GET",
            f"/api/v2/users/{user_id}/tickets/requested.json",
            action="list the customer's tickets",
            fields={"sort_by": "created_at", "sort_order": "desc", "per_page": str(min(limit, PER_PAGE_MAX))},
        )
        tickets = answer.get("tickets")
        if not isinstance(tickets, list):
            raise PermanentTicketingError("Zendesk's list of tickets was malformed: it had no tickets array.")
        refs = sorted((self._ticket_ref(ticket) for ticket in tickets), key=lambda ref: ref.created_at)
        return refs[::-1][:limit]

    def _find_requester(self, customer: Customer) -> int | None:
        """The Zendesk user id of `customer`: by email, or by external id when we have no email."""
        if customer.email:
            fields = {"query": f"email:{customer.email}"}
            key, wanted = "email", customer.email.lower()
        else:
            fields = {"external_id": customer.external_id}
            key, wanted = "external_id", customer.external_id.lower()
        answer = self._request(
            "GET", "/api/v2/users/search.json", action="look up the customer", fields=fields
        )
        users = answer.get("users")
        if not isinstance(users, list):
            raise PermanentTicketingError(
                "Zendesk's user search answer was malformed: it had no users array."
            )
        # Zendesk's search is not an exact match; only the user with exactly this email/external id counts.
        for user in users:
            if isinstance(user, dict) and str(user.get(key) or "").lower() == wanted:
                user_id = user.get("id")
                if isinstance(user_id, int) and not isinstance(user_id, bool):
                    return user_id
                raise PermanentTicketingError("Zendesk's user search answer was malformed: a user had no id.")
        return None

    def _ticket_ref(self, ticket: object) -> TicketRef:
        """A TicketRef from one ticket in Zendesk's wire format."""
        if not isinstance(ticket, dict):
            raise PermanentTicketingError("Zendesk's answer was malformed: it had no ticket object.")
        ticket_id = ticket.get("id")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            raise PermanentTicketingError("Zendesk's answer was malformed: a ticket had no numeric id.")
        try:
            created_at = datetime.fromisoformat(str(ticket.get("created_at")))
        except ValueError as exc:
            raise PermanentTicketingError(
                f"Zendesk's answer was malformed: ticket {ticket_id} had no valid created_at."
            ) from exc
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)  # Zendesk's timestamps are UTC
        return TicketRef(
            reference=str(ticket_id),
            # A status Zendesk may add later is still a ticket someone is working on.
            status=STATUSES.get(str(ticket.get("status")), "open"),
            subject=str(ticket.get("subject") or ticket.get("raw_subject") or ""),
            created_at=created_at,
            url=f"{self.base_url}/agent/tickets/{ticket_id}",
        )


def zendesk_tag(intent: str) -> str:
    """`intent` as a Zendesk tag: lower case, no spaces (Zendesk would split it into several tags)."""
    return "_".join(intent.lower().split())


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header, given in seconds or as an HTTP date; None if absent."""
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def error_text(data: bytes) -> str:
    """Zendesk's own words for an error (error, description, field details), shortened for a trace."""
    try:
        answer = json.loads(data)
    except ValueError:
        answer = None
    parts: list[str] = []
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, dict):  # some endpoints nest it: {"error": {"title", "message"}}
            parts += [str(error[key]) for key in ("title", "message") if error.get(key)]
        elif error:
            parts.append(str(error))
        if answer.get("description"):
            parts.append(str(answer["description"]))
        details = answer.get("details")
        if isinstance(details, dict):
            for problems in details.values():
                for problem in problems if isinstance(problems, list) else [problems]:
                    if isinstance(problem, dict) and problem.get("description"):
                        parts.append(str(problem["description"]))
    text = " ".join(": ".join(parts).split()) if parts else " ".join(data.decode("utf-8", "replace").split())
    text = text or "no error text"
    return text if len(text) <= ERROR_TEXT_MAX_LENGTH else text[: ERROR_TEXT_MAX_LENGTH - 1] + "…"
