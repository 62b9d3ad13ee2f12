"""What a decision does to the conversation: send the answer, wait for review, or hand over with a ticket."""

from __future__ import annotations

import logging

from django.db import transaction

from agent import events
from agent.cache import get_response_cache
from agent.models import AgentRun, Conversation, Draft, Message, Ticket
from agent.models.drafts import Decision
from agent.state import TurnState
from agent.ticketing import TicketRef, get_ticketing_backend

logger = logging.getLogger(__name__)

HANDOFF_NOTICE = (
    "I've passed your message to our support team, who will get back to you here. "
    "Your ticket reference is {reference}."
)
OUT_OF_SCOPE_NOTICE = (
    "I can only help with questions about your Lumen Bank account, cards and payments. "
    "I've passed your message to our support team in case they can help; "
    "your ticket reference is {reference}."
)
# When the ticketing system could not be reached: the conversation still waits for a human, visibly.
HANDOFF_NOTICE_NO_TICKET = "I've passed your message to our support team, who will get back to you here."
OUT_OF_SCOPE_NOTICE_NO_TICKET = (
    "I can only help with questions about your Lumen Bank account, cards and payments. "
    "I've passed your message to our support team in case they can help."
)


def set_conversation_status(
    conversation: Conversation, status: str, *, message: Message | None = None
) -> None:
    """Store the status and tell the customer's open pages, once committed (with `message`, the message that
    came with the change)."""
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at"])
    message_id = message.pk if message is not None else None
    events.conversation_updated(public_id=conversation.public_id, status=status, message_id=message_id)


def deliver(
    *, conversation: Conversation, role: str, text: str, status: str, draft: Draft | None = None
) -> Message:
    """Add a message for the customer (the answer from `draft`, if given) to the conversation and set its
    status; the page hears at once."""
    message = Message(conversation=conversation, role=role, text=text, draft=draft)
    message.screen()  # a reviewer's edit may quote the customer's data back
    message.save()
    set_conversation_status(conversation, status, message=message)
    return message


def open_handover_ticket(*, message: Message, intent: str, reason: str) -> str:
    """Open the ticket a hand-over needs, in the configured ticketing system, with the ticket tool's attempts
    and circuit breaker. Call it outside any database transaction: it may wait on another system. None if the
    system failed for good ("" is returned): the hand-over goes on without a reference."""
    from agent.tools.support import support_runner

    question = message.masked_text  # a ticket leaves the message store: masked, as everywhere else
    subject = question if len(question) <= 80 else question[:79] + "…"
    conversation = message.conversation

    def create() -> TicketRef:
        return get_ticketing_backend().create_ticket(
            customer=conversation.customer,
            conversation=conversation,
            subject=subject,
            description=f"{question}\n\nHanded over because: {reason or 'the agent could not answer'}",
            intent=intent,
        )

    result = support_runner.run("create_ticket", create)
    if not result.ok:
        logger.error(
            "no ticket for message %s after %s attempts: %s", message.pk, result.attempts, result.error
        )
        return ""
    ticket: TicketRef = result.content
    return ticket.reference


# The status a draft is stored with, by the decision taken on it.
STATUS_AFTER_DECISION = {
    Decision.AUTO_SEND: Draft.Status.SENT,
    Decision.REVIEW: Draft.Status.PENDING_REVIEW,
    Decision.ESCALATE: Draft.Status.ESCALATED,
}


def attach_ticket(draft: Draft, ticket: str) -> None:
    """Set the hand-over ticket's reference on `draft` (and the row, for a built-in ticket); not saved."""
    draft.ticket_reference = ticket
    draft.ticket = Ticket.objects.filter(reference=ticket).first() if ticket else None


def tell_customer_handed_over(draft: Draft, status: str) -> None:
    """Tell the customer their message is with the team, with the ticket's reference if there is one."""
    in_scope = bool((draft.run.final_state or {}).get("in_scope", True))
    if draft.ticket_reference:
        notice = HANDOFF_NOTICE if in_scope else OUT_OF_SCOPE_NOTICE
        text = notice.format(reference=draft.ticket_reference)
    else:
        text = HANDOFF_NOTICE_NO_TICKET if in_scope else OUT_OF_SCOPE_NOTICE_NO_TICKET
    deliver(conversation=draft.conversation, role=Message.Role.SYSTEM, text=text, status=status)


def hand_over(*, draft: Draft, ticket: str, status: str = Conversation.Status.ESCALATED) -> None:
    """Record the hand-over ticket on a stored `draft` and tell the customer (without a ticket, that the team
    has their message)."""
    attach_ticket(draft, ticket)
    draft.save(update_fields=["ticket", "ticket_reference"])
    tell_customer_handed_over(draft, status)


def apply_decision(*, draft: Draft, decision: Decision) -> None:
    """Send, queue for review, or hand over a `draft` stored with its status (and hand-over ticket), and set
    its conversation's status to match."""
    conversation = draft.conversation
    if decision == Decision.AUTO_SEND:
        deliver(
            conversation=conversation,
            role=Message.Role.AGENT,
            text=draft.text,
            status=Conversation.Status.ANSWERED,
            draft=draft,
        )
        remember_answer(draft)
    elif decision == Decision.REVIEW:
        set_conversation_status(conversation, Conversation.Status.AWAITING_REVIEW)
        events.draft_queued(draft_id=draft.pk, intent=draft.intent, confidence=draft.confidence)
    else:
        tell_customer_handed_over(draft, Conversation.Status.ESCALATED)


def remember_answer(draft: Draft) -> None:
    """Cache an answer sent as drafted, with the versions of the articles it cites, once committed."""
    state = draft.run.final_state or {}
    if state.get("from_cache") or not draft.text:
        return
    cited = set(state.get("cited_article_ids", []))
    versions = {p["article_id"]: p["version"] for p in state.get("passages", []) if p["article_id"] in cited}
    if not versions:  # an answer no article grounds could never be retired by an article edit
        return
    question, intent, text, draft_id = draft.message.masked_text, draft.intent, draft.text, draft.pk
    cache = get_response_cache()

    def store() -> None:
        cache.store(
            question=question, intent=intent, text=text, article_versions=versions, source_draft_id=draft_id
        )

    if cache.stores_in_transaction:
        store()  # with the answer: both are kept, or neither
    else:
        transaction.on_commit(store)


@transaction.atomic
def hand_over_without_answer(
    *,
    run: AgentRun,
    state: TurnState,
    reason: str,
    ticket: str,
    status: str = Conversation.Status.NEEDS_HUMAN,
) -> Draft:
    """A run that failed (or a message the agent is not to answer) leaves the conversation visibly with
    people, with a ticket; nothing is lost."""
    draft = Draft(
        run=run,
        conversation=run.message.conversation,
        message=run.message,
        intent=state.intent,
        text="",
        confidence=0.0,
        signals=state.signals,
        decision=Decision.ESCALATE,
        reason=reason,
        status=Draft.Status.ESCALATED,
    )
    attach_ticket(draft, ticket)
    draft.save()
    tell_customer_handed_over(draft, status)
    return draft
