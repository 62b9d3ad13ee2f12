"""Writes of the review queue: claim, approve, edit, reject, escalate — and what every decision teaches.

Each is one transaction that locks the draft row, so a decision is applied once, whoever clicks first.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agent import events
from agent.models import ConfidenceCalibration, Conversation, Draft, Message, SensitiveDataReveal
from agent.outcomes import (
    deliver,
    hand_over,
    open_handover_ticket,
    remember_answer,
    set_conversation_status,
)
from review.calibration import Outcome, fit_calibration
from review.models import Claim, EvaluationCase, ReviewDecision

MAX_ANSWER_CHARS = 4000
DRAFT_STATUS_AFTER: dict[str, str] = {
    ReviewDecision.Action.APPROVED: Draft.Status.APPROVED,
    ReviewDecision.Action.EDITED: Draft.Status.APPROVED,
    ReviewDecision.Action.REJECTED: Draft.Status.REJECTED,
    ReviewDecision.Action.ESCALATED: Draft.Status.ESCALATED,
}


class ReviewError(Exception):
    """A decision or claim that cannot be applied; the message is meant for the reviewer."""


class AlreadyDecided(ReviewError):
    pass


class HeldByAnother(ReviewError):
    pass


def claim_draft(*, draft: Draft, reviewer: Any, now: datetime | None = None) -> Claim:
    """Hold `draft` for REVIEW_CLAIM_SECONDS; renew one's own claim; take over an expired one."""
    now = now or timezone.now()
    with transaction.atomic():
        draft = _locked(draft)
        claim = _active_claim(draft, reviewer, now)
        until = now + timedelta(seconds=settings.REVIEW_CLAIM_SECONDS)
        if claim is None:
            Claim.objects.filter(draft=draft).delete()
            claim = Claim.objects.create(draft=draft, reviewer=reviewer, claimed_at=now, expires_at=until)
        else:
            claim.expires_at = until
            claim.save(update_fields=["expires_at"])
        events.draft_claimed(draft_id=draft.pk, reviewer=reviewer.get_username(), until=until.isoformat())
    return claim


def release_claim(*, draft: Draft, reviewer: Any) -> None:
    """Give a draft back to the queue before the claim runs out."""
    with transaction.atomic():
        if Claim.objects.filter(draft=draft, reviewer=reviewer).delete()[0]:
            events.draft_released(draft_id=draft.pk)


def approve_draft(*, draft: Draft, reviewer: Any, text: str | None = None) -> ReviewDecision:
    """Send the draft — as written, or as the reviewer edited it — to the customer."""
    final = draft.text if text is None else _clean_answer(text)
    action = ReviewDecision.Action.APPROVED if final == draft.text else ReviewDecision.Action.EDITED
    role = Message.Role.AGENT if action == ReviewDecision.Action.APPROVED else Message.Role.STAFF
    return _decide(draft=draft, reviewer=reviewer, action=action, final_text=final, reason="", send_as=role)


def reject_draft(*, draft: Draft, reviewer: Any, reason: str, answer: str = "") -> ReviewDecision:
    """Reject the draft with a reason; the reviewer's own answer, if written, goes to the customer instead.
    Without one, the conversation goes to a human with a ticket, so the customer is never left hanging."""
    if not reason.strip():
        raise ReviewError("Say why the draft is rejected.")
    final = _clean_answer(answer) if answer.strip() else ""
    return _decide(
        draft=draft,
        reviewer=reviewer,
        action=ReviewDecision.Action.REJECTED,
        final_text=final,
        reason=reason.strip(),
        send_as=Message.Role.STAFF if final else None,
    )


def escalate_draft(*, draft: Draft, reviewer: Any, reason: str = "") -> ReviewDecision:
    """Hand the conversation to a specialist with a ticket; nothing from the draft is sent."""
    return _decide(
        draft=draft,
        reviewer=reviewer,
        action=ReviewDecision.Action.ESCALATED,
        final_text="",
        reason=reason.strip(),
        send_as=None,
    )


def _decide(
    *, draft: Draft, reviewer: Any, action: str, final_text: str, reason: str, send_as: str | None
) -> ReviewDecision:
    now = timezone.now()
    with transaction.atomic():
        draft = _locked(draft)
        claim = _active_claim(draft, reviewer, now)
        started = claim.claimed_at if claim is not None else draft.created_at
        decision = ReviewDecision.objects.create(
            draft=draft,
            reviewer=reviewer,
            action=action,
            final_text=final_text,
            reason=reason,
            seconds_taken=max((now - started).total_seconds(), 0.0),
            edit_distance=characters_changed(draft.text, final_text) if final_text else 0,
            decided_at=now,
        )
        handover_status = _apply(draft=draft, action=action, final_text=final_text, send_as=send_as)
        Claim.objects.filter(draft=draft).delete()
        _record_evaluation_case(decision)
        events.draft_decided(draft_id=draft.pk, action=action, reviewer=reviewer.get_username())
        transaction.on_commit(_queue_calibration_refit)
    if handover_status:
        # The ticket is opened after the decision is committed: the ticketing system may be slow or down,
        # and the draft's row must not stay locked meanwhile. The conversation already shows the hand-over.
        reason = reason or f"a reviewer {action} the draft"
        ticket = open_handover_ticket(message=draft.message, intent=draft.intent, reason=reason)
        with transaction.atomic():
            hand_over(draft=draft, ticket=ticket, status=handover_status)
    return decision


def _apply(*, draft: Draft, action: str, final_text: str, send_as: str | None) -> str:
    """Carry out the decision; for a hand-over, set the conversation's status and return it (the ticket is
    opened once this transaction has committed), else return ""."""
    conversation = draft.conversation
    handover_status = ""
    if send_as is not None:
        answered = Conversation.Status.ANSWERED
        deliver(conversation=conversation, role=send_as, text=final_text, status=answered, draft=draft)
        if action == ReviewDecision.Action.APPROVED:
            remember_answer(draft)
    else:
        escalated = action == ReviewDecision.Action.ESCALATED
        handover_status = Conversation.Status.ESCALATED if escalated else Conversation.Status.NEEDS_HUMAN
        set_conversation_status(conversation, handover_status)
    draft.status = DRAFT_STATUS_AFTER[action]
    draft.save(update_fields=["status"])
    return handover_status


@transaction.atomic
def reveal_message(*, message_id: int, user: Any) -> Message | None:
    """The message as written, with the reveal recorded; None if there is no such message. The caller has
    checked the permission."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return None
    SensitiveDataReveal.objects.create(message=message, user=user)
    return message


def _locked(draft: Draft) -> Draft:
    """The draft's row, locked for this transaction, which must still be waiting for review."""
    locked = (
        Draft.objects.select_for_update(of=("self",))
        .select_related("conversation", "message", "run__agent_version")
        .get(pk=draft.pk)
    )
    if locked.status != Draft.Status.PENDING_REVIEW:
        raise AlreadyDecided(_already_decided_message(locked))
    return locked


def _active_claim(draft: Draft, reviewer: Any, now: datetime) -> Claim | None:
    """The reviewer's own live claim, or None if the draft is free; refuse if someone else holds it."""
    claim = Claim.objects.filter(draft=draft).select_related("reviewer").first()
    if claim is None or not claim.is_active(now):
        return None
    if claim.reviewer_id != reviewer.pk:
        holder = claim.reviewer.get_username()
        raise HeldByAnother(
            f"{holder} is reviewing this draft until {timezone.localtime(claim.expires_at):%H:%M}."
        )
    return claim


def _already_decided_message(draft: Draft) -> str:
    decision = ReviewDecision.objects.filter(draft=draft).select_related("reviewer").first()
    if decision is None:
        return f"This draft is no longer waiting for review ({draft.get_status_display().lower()})."
    who = decision.reviewer.get_username() if decision.reviewer else "someone"
    when = timezone.localtime(decision.decided_at)
    return f"Already {decision.get_action_display().lower()} by {who} at {when:%H:%M}; nothing was changed."


def _clean_answer(text: str) -> str:
    text = text.strip()
    if not text:
        raise ReviewError("The answer is empty.")
    if len(text) > MAX_ANSWER_CHARS:
        raise ReviewError(f"Keep the answer under {MAX_ANSWER_CHARS} characters.")
    return text


def characters_changed(before: str, after: str) -> int:
    """How many characters a reviewer changed: the size of the edit script between the two texts."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def _record_evaluation_case(decision: ReviewDecision) -> EvaluationCase:
    draft = decision.draft
    passages = (draft.run.final_state or {}).get("passages", [])
    version = draft.run.agent_version
    return EvaluationCase.objects.create(
        decision=decision,
        question=draft.message.masked_text,
        context=[
            {"article_id": p["article_id"], "title": p["title"], "version": p["version"]} for p in passages
        ],
        draft=draft.text,
        final_answer=decision.final_text,
        label=decision.action,
        intent=draft.intent,
        agent_version=version.name if version else "",
        raw_confidence=draft.raw_confidence,
        confidence=draft.confidence,
        created_at=decision.decided_at,
    )


def _queue_calibration_refit() -> None:
    from review.tasks import refit_calibration_task

    refit_calibration_task.delay()


def refit_calibration() -> ConfidenceCalibration | None:
    """Fit raw confidence → P(approved as is) on every reviewed draft, per intent where data allows."""
    history = [
        Outcome(intent=intent, raw=raw, approved=label == EvaluationCase.Label.APPROVED)
        for intent, raw, label in EvaluationCase.objects.values_list("intent", "raw_confidence", "label")
    ]
    if not history:
        return None
    calibration = fit_calibration(history, min_samples=settings.CALIBRATION_MIN_SAMPLES)
    return ConfidenceCalibration.objects.create(samples=len(history), curves=calibration.to_json())
