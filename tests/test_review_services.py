from datetime import timedelta

import pytest
from django.utils import timezone

from agent.models import ConfidenceCalibration, Conversation, Draft, Message, Ticket
from review import services
from review.models import Claim, EvaluationCase, ReviewDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_pending_draft):
    return make_pending_draft()


def test_opening_a_draft_claims_it_for_a_few_minutes(draft, rita, settings):
    settings.REVIEW_CLAIM_SECONDS = 300
    claim = services.claim_draft(draft=draft, reviewer=rita)
    assert claim.reviewer == rita
    assert timedelta(seconds=295) < claim.expires_at - timezone.now() <= timedelta(seconds=300)


def test_a_second_reviewer_cannot_claim_a_held_draft_and_is_told_who_holds_it(draft, rita, sam):
    services.claim_draft(draft=draft, reviewer=rita)
    with pytest.raises(services.HeldByAnother, match="rita is reviewing this draft until"):
        services.claim_draft(draft=draft, reviewer=sam)


def test_a_second_reviewer_cannot_decide_a_held_draft(draft, rita, sam):
    services.claim_draft(draft=draft, reviewer=rita)
    with pytest.raises(services.HeldByAnother):
        services.approve_draft(draft=draft, reviewer=sam)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.PENDING_REVIEW and not ReviewDecision.objects.exists()


def test_an_expired_claim_can_be_taken_over(draft, rita, sam):
    services.claim_draft(draft=draft, reviewer=rita, now=timezone.now() - timedelta(hours=1))
    claim = services.claim_draft(draft=draft, reviewer=sam)
    assert claim.reviewer == sam and Claim.objects.count() == 1


def test_reopening_renews_ones_own_claim(draft, rita):
    first = services.claim_draft(draft=draft, reviewer=rita, now=timezone.now() - timedelta(minutes=2))
    second = services.claim_draft(draft=draft, reviewer=rita)
    assert second.pk == first.pk and second.expires_at > first.expires_at


def test_releasing_a_claim_frees_the_draft(draft, rita, sam):
    services.claim_draft(draft=draft, reviewer=rita)
    services.release_claim(draft=draft, reviewer=rita)
    assert services.claim_draft(draft=draft, reviewer=sam).reviewer == sam


def test_approving_sends_the_draft_to_the_customer_and_records_the_decision(draft, rita):
    services.claim_draft(draft=draft, reviewer=rita)
    decision = services.approve_draft(draft=draft, reviewer=rita)
    assert decision.action == ReviewDecision.Action.APPROVED and decision.edit_distance == 0
    assert decision.reviewer == rita and decision.seconds_taken >= 0
    draft.refresh_from_db()
    assert draft.status == Draft.Status.APPROVED
    assert draft.conversation.status == Conversation.Status.ANSWERED
    assert draft.conversation.messages.filter(role=Message.Role.AGENT, text=draft.text).exists()
    assert not Claim.objects.exists()


def test_editing_sends_the_edited_answer_and_measures_the_edit(draft, rita):
    edited = draft.text.replace("in the app", "in the app under Cards")
    decision = services.approve_draft(draft=draft, reviewer=rita, text=edited)
    assert decision.action == ReviewDecision.Action.EDITED and decision.edit_distance == len(" under Cards")
    assert draft.conversation.messages.get(role=Message.Role.STAFF).text == edited


def test_a_second_decision_is_refused_with_who_decided_and_nothing_changes(draft, rita, sam):
    services.approve_draft(draft=draft, reviewer=rita)
    with pytest.raises(services.AlreadyDecided, match="Already approved as drafted by rita"):
        services.reject_draft(draft=draft, reviewer=sam, reason="wrong")
    assert ReviewDecision.objects.count() == 1
    assert draft.conversation.messages.filter(role__in=["agent", "staff"]).count() == 1


def test_rejecting_with_a_written_answer_sends_that_answer(draft, rita):
    decision = services.reject_draft(
        draft=draft, reviewer=rita, reason="Too vague", answer="Go to Cards > Manage card > Change PIN."
    )
    assert decision.action == ReviewDecision.Action.REJECTED and decision.reason == "Too vague"
    assert (
        draft.conversation.messages.get(role=Message.Role.STAFF).text
        == "Go to Cards > Manage card > Change PIN."
    )
    draft.refresh_from_db()
    assert draft.status == Draft.Status.REJECTED and draft.conversation.status == Conversation.Status.ANSWERED


def test_rejecting_without_an_answer_hands_the_customer_to_a_human(draft, rita):
    services.reject_draft(draft=draft, reviewer=rita, reason="Policy changed")
    draft.refresh_from_db()
    assert draft.conversation.status == Conversation.Status.NEEDS_HUMAN
    assert draft.ticket == Ticket.objects.get()
    assert draft.ticket.reference in draft.conversation.messages.get(role=Message.Role.SYSTEM).text


def test_a_rejection_needs_a_reason(draft, rita):
    with pytest.raises(services.ReviewError, match="Say why"):
        services.reject_draft(draft=draft, reviewer=rita, reason="  ")


def test_an_empty_edited_answer_is_refused(draft, rita):
    with pytest.raises(services.ReviewError, match="empty"):
        services.approve_draft(draft=draft, reviewer=rita, text="   ")


def test_escalating_opens_a_ticket_and_sends_nothing_from_the_draft(draft, rita):
    services.escalate_draft(draft=draft, reviewer=rita, reason="Needs the fraud team")
    draft.refresh_from_db()
    assert draft.status == Draft.Status.ESCALATED and draft.ticket is not None
    assert not draft.conversation.messages.filter(role__in=["agent", "staff"]).exists()


@pytest.mark.parametrize(
    ("decide", "label"),
    [
        (lambda d, r: services.approve_draft(draft=d, reviewer=r), "approved"),
        (lambda d, r: services.approve_draft(draft=d, reviewer=r, text="Different answer."), "edited"),
        (lambda d, r: services.reject_draft(draft=d, reviewer=r, reason="no"), "rejected"),
        (lambda d, r: services.escalate_draft(draft=d, reviewer=r), "escalated"),
    ],
)
def test_every_decision_becomes_an_evaluation_case(draft, rita, decide, label):
    decide(draft, rita)
    case = EvaluationCase.objects.get()
    assert case.label == label and case.intent == "change_pin" and case.question == "How do I change my PIN?"
    assert case.draft == draft.text and case.raw_confidence == 0.6
    assert case.context == [{"article_id": 1, "title": "How do I change my PIN?", "version": 1}]


def test_decisions_refit_the_calibration_the_pipeline_uses(
    make_pending_draft, rita, settings, django_capture_on_commit_callbacks
):
    settings.CALIBRATION_MIN_SAMPLES = 10
    # Reviewers approve drafts scored 0.8 and reject those scored 0.3: calibration must learn that.
    for i in range(20):
        draft = make_pending_draft(raw_confidence=0.8 if i % 2 else 0.3)
        with django_capture_on_commit_callbacks(execute=True):
            if i % 2:
                services.approve_draft(draft=draft, reviewer=rita)
            else:
                services.reject_draft(draft=draft, reviewer=rita, reason="wrong")
    from agent.confidence import calibrate

    assert ConfidenceCalibration.objects.latest().samples == 20
    assert calibrate(intent="change_pin", raw=0.8) == (1.0, "intent")
    assert calibrate(intent="change_pin", raw=0.3) == (0.0, "intent")
    assert calibrate(intent="card_arrival", raw=0.8)[1] == "global"
