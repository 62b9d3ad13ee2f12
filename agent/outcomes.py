"""What a decision does to the conversation: send the answer, wait for review, or hand over with a ticket."""

from __future__ import annotations

from django.db import transaction

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


def apply_decision(*, draft: Draft, decision: Decision) -> None:
    """Send, queue for review, or escalate `draft`, and set its conversation's status to match."""
    conversation = draft.conversation
    if decision == Decision.AUTO_SEND:
        Message.objects.create(conversation=conversation, role=Message.Role.AGENT, text=draft.text)
        draft.status = Draft.Status.SENT
        conversation.status = Conversation.Status.ANSWERED
    elif decision == Decision.REVIEW:
        draft.status = Draft.Status.PENDING_REVIEW
        conversation.status = Conversation.Status.AWAITING_REVIEW
    else:
        in_scope = bool((draft.run.final_state or {}).get("in_scope", True))
        draft.ticket = open_ticket(draft=draft)
        notice = HANDOFF_NOTICE if in_scope else OUT_OF_SCOPE_NOTICE
        Message.objects.create(
            conversation=conversation,
            role=Message.Role.SYSTEM,
            text=notice.format(reference=draft.ticket.reference),
        )
        draft.status = Draft.Status.ESCALATED
        conversation.status = Conversation.Status.ESCALATED
    draft.save()
    conversation.save(update_fields=["status", "updated_at"])


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
    apply_decision(draft=draft, decision=Decision.ESCALATE)
    conversation = draft.conversation
    conversation.status = Conversation.Status.NEEDS_HUMAN
    conversation.save(update_fields=["status", "updated_at"])
    return draft
