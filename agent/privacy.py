"""Erasing a customer's personal data: on request (`forget_customer`, the admin action) and after the
retention period (a periodic task).

Rows are kept and their personal content overwritten, so counts, costs, decisions and experiment metrics stay
true: messages and answers, run traces and step records, tickets, reviewers' final texts, the customer's
name, e-mail and id. Cached answers sent to the customer are removed. Evaluation cases are kept, with their
texts masked again and no way back to the customer (their message is erased). Reveal records stay: they say
who looked, not what they saw.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agent.cache import get_response_cache
from agent.models import AgentRun, AgentStep, Conversation, Customer, Draft, Message, Ticket
from agent.screening.pii import mask

ERASED = "[erased]"


def forget_customer(customer: Customer) -> Counter[str]:
    """Erase everything personal the product holds about `customer`; what was erased, counted by kind."""
    erased = forget_conversations(Conversation.objects.filter(customer=customer))
    with transaction.atomic():
        erased["tickets"] += (
            Ticket.objects.filter(customer=customer)
            .exclude(subject=ERASED)
            .update(subject=ERASED, reason=ERASED)
        )
        customer.external_id = f"forgotten-{customer.pk}"
        customer.name = ""
        customer.email = ""
        customer.save(update_fields=["external_id", "name", "email"])
        erased["customer records"] += 1
    return erased


def forget_conversations(conversations: QuerySet[Conversation]) -> Counter[str]:
    """Erase the personal content of these conversations (see the module's docstring)."""
    from review.models import EvaluationCase, ReviewDecision

    erased: Counter[str] = Counter()
    drafts = Draft.objects.filter(conversation__in=conversations)
    # the cache is keyed by the masked question and the intent: read them before the messages are erased
    cached = [
        (draft.message.masked_text, draft.intent, draft.pk)
        for draft in drafts.filter(status=Draft.Status.SENT).select_related("message")
    ]
    with transaction.atomic():
        messages = Message.objects.filter(conversation__in=conversations).exclude(text=ERASED)
        erased["messages"] = messages.update(text=ERASED, redacted_text=ERASED, pii=[])
        erased["answers drafted"] = drafts.exclude(text=ERASED).update(text=ERASED)
        runs = AgentRun.objects.filter(message__conversation__in=conversations)
        erased["run traces"] = runs.exclude(final_state=None).update(final_state=None, error="")
        erased["step records"] = (
            AgentStep.objects.filter(run__in=runs)
            .exclude(input_summary={}, output_summary={}, tool_calls=[])
            .update(input_summary={}, output_summary={}, tool_calls=[], error="")
        )
        erased["tickets"] = (
            Ticket.objects.filter(conversation__in=conversations)
            .exclude(subject=ERASED)
            .update(subject=ERASED, reason=ERASED)
        )
        decisions = ReviewDecision.objects.filter(draft__in=drafts).exclude(final_text=ERASED)
        erased["review decisions"] = decisions.update(final_text=ERASED, reason="")
        cases = EvaluationCase.objects.filter(decision__draft__in=drafts).select_related(
            "decision__draft__conversation__customer"
        )
        for case in cases:
            customer = case.decision.draft.conversation.customer
            masked = tuple(
                _anonymise(text, customer) for text in (case.question, case.draft, case.final_answer)
            )
            if masked != (case.question, case.draft, case.final_answer):
                case.question, case.draft, case.final_answer = masked
                case.save(update_fields=["question", "draft", "final_answer"])
            erased["evaluation cases anonymised"] += 1
    erased["cached answers"] = get_response_cache().forget_answers(cached)
    return +erased  # the kinds with nothing to erase are left out


def _anonymise(text: str, customer: Customer) -> str:
    """`text` masked, and without the customer's name, the parts of it, or their e-mail address (screening
    does not find names; here the name is known)."""
    text = mask(text)
    known = [customer.email, customer.name, *customer.name.split()]
    for value in sorted((v for v in known if len(v) >= 3), key=len, reverse=True):
        text = re.sub(re.escape(value), "[EMAIL]" if "@" in value else "[NAME]", text, flags=re.IGNORECASE)
    return text


def enforce_retention(*, now: datetime | None = None) -> Counter[str]:
    """Erase conversations untouched for longer than RETENTION_DAYS (0 keeps them for ever)."""
    days = settings.RETENTION_DAYS
    if days <= 0:
        return Counter()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = Conversation.objects.filter(updated_at__lt=cutoff).filter(
        Q(messages__isnull=False) & ~Q(messages__text=ERASED)
    )
    return forget_conversations(Conversation.objects.filter(pk__in=old.values("pk")))


def describe(erased: Counter[str]) -> str:
    """One line per kind: what `forget_customer` prints."""
    if not erased:
        return "Nothing to erase."
    return "\n".join(f"{kind}: {count}" for kind, count in sorted(erased.items()))
