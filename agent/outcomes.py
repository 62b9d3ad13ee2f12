"""What a decision does to the conversation: send the answer, wait for review, or hand over with a ticket."""

from __future__ import annotations

from django.db import transaction

from agent import events
from agent.models import AgentRun, Conversation, Draft, Message, Ticket
from agent.models.drafts import Decision
from agent.state import TurnState

HANDOFF_NOTICE = (
    "I've passed your message to our support team, who will get back to you here. "
    "Your ticket reference is {reference}."
)
OUT_OF_SCOPE_NOTICE = (
    "I can only help with questions about your Lumen Bank account, cards and payments. "
    "I've passed your message to our support team in case they can help; "
    "your ticket reference is {reference}."
)


def set_conversation_status(conversation: Conversation, status: str) -> None:
    """Store the status and tell the customer's open pages, once committed."""
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at"])
    events.conversation_updated(public_id=conversation.public_id, status=status)


def deliver(*, conversation: Conversation, role: str, text: str, status: str) -> Message:
    """Add a message for the customer to the conversation and set its status; the page hears at once."""
    message = Message.objects.create(conversation=conversation, role=role, text=text)
    set_conversation_status(conversation, status)
    return message


def hand_over(*, draft: Draft, status: str = Conversation.Status.ESCALATED) -> Ticket:
    """Open a ticket for a human and tell the customer its reference."""
    in_scope = bool((draft.run.final_state or {}).get("in_scope", True))
    ticket = open_ticket(draft=draft)
    notice = HANDOFF_NOTICE if in_scope else OUT_OF_SCOPE_NOTICE
    deliver(
        conversation=draft.conversation,
        role=Message.Role.SYSTEM,
        text=notice.format(reference=ticket.reference),
        status=status,
    )
    return ticket


def apply_decision(*, draft: Draft, decision: Decision) -> None:
    """Send, queue for review, or escalate `draft`, and set its conversation's status to match."""
    conversation = draft.conversation
    if decision == Decision.AUTO_SEND:
        deliver(
            conversation=conversation,
            role=Message.Role.AGENT,
            text=draft.text,
            status=Conversation.Status.ANSWERED,
        )
        draft.status = Draft.Status.SENT
        remember_answer(draft)
    elif decision == Decision.REVIEW:
        draft.status = Draft.Status.PENDING_REVIEW
        set_conversation_status(conversation, Conversation.Status.AWAITING_REVIEW)
        events.draft_queued(draft_id=draft.pk, intent=draft.intent, confidence=draft.confidence)
    else:
        draft.ticket = hand_over(draft=draft)
        draft.status = Draft.Status.ESCALATED
    draft.save()


def remember_answer(draft: Draft) -> None:
    """Cache an answer sent as drafted, with the versions of the articles it cites, once committed."""
    state = draft.run.final_state or {}
    if state.get("from_cache") or not draft.text:
        return
    cited = set(state.get("cited_article_ids", []))
    versions = {p["article_id"]: p["version"] for p in state.get("passages", []) if p["article_id"] in cited}
    if not versions:  # an answer no article grounds could never be retired by an article edit
        return
    question, intent, text, draft_id = draft.message.text, draft.intent, draft.text, draft.pk

    def store() -> None:
        from agent.cache import get_response_cache

        get_response_cache().store(
            question=question, intent=intent, text=text, article_versions=versions, source_draft_id=draft_id
        )

    transaction.on_commit(store)


def open_ticket(*, draft: Draft) -> Ticket:
    """A ticket for a human, carrying the question and why the agent handed it over."""
    question = draft.message.text
    subject = question if len(question) <= 80 else question[:79] + "…"
    return Ticket.objects.create(
        customer=draft.conversation.customer,
        conversation=draft.conversation,
        subject=subject,
        reason=draft.reason,
        intent=draft.intent,
    )


@transaction.atomic
def hand_over_failed_run(*, run: AgentRun, state: TurnState, reason: str) -> Draft:
    """A run that failed leaves the conversation visibly needing a human, with a ticket; nothing is lost."""
    draft = Draft.objects.create(
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
    draft.ticket = hand_over(draft=draft, status=Conversation.Status.NEEDS_HUMAN)
    draft.save(update_fields=["ticket"])
    return draft
