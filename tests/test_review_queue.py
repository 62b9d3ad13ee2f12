import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from agent.models import Draft
from review.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_draft(make_pending_draft):
    return make_pending_draft(
        question="Why was I charged <b>twice</b>?", text="<script>alert('x')</script> We charge no fee."
    )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/review/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_outside_the_reviewers_group_are_refused(client, pending_draft):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/drafts/{pending_draft.pk}/").status_code == 403
    assert client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "approve"}).status_code == 403


def test_a_reviewer_sees_pending_drafts_escaped(client, rita, pending_draft):
    client.force_login(rita)
    html = client.get("/review/").content.decode()
    assert "change_pin" in html and "0.60" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;twice&lt;/b&gt;" in html


def test_the_queue_filters_by_intent_and_confidence_band(client, rita, make_pending_draft):
    make_pending_draft(question="low one", raw_confidence=0.2)
    make_pending_draft(question="high one", intent="card_arrival", raw_confidence=0.9)
    client.force_login(rita)
    assert "high one" not in client.get("/review/?band=low").content.decode()
    assert "low one" in client.get("/review/?band=low").content.decode()
    assert "low one" not in client.get("/review/?intent=card_arrival").content.decode()


def test_the_queue_is_oldest_first_unless_asked(client, rita, make_pending_draft):
    make_pending_draft(question="first question")
    make_pending_draft(question="second question")
    client.force_login(rita)
    html = client.get("/review/").content.decode()
    assert html.index("first question") < html.index("second question")
    html = client.get("/review/?order=newest").content.decode()
    assert html.index("second question") < html.index("first question")


def test_an_htmx_refresh_gets_only_the_rows(client, rita, pending_draft):
    client.force_login(rita)
    html = client.get("/review/", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<table class="queue" id="rows">')


def test_opening_a_draft_claims_it_and_shows_why(client, rita, pending_draft):
    client.force_login(rita)
    html = client.get(f"/review/drafts/{pending_draft.pk}/").content.decode()
    assert Claim.objects.get(draft=pending_draft).reviewer == rita
    assert "Why this confidence" in html and "How do I change my PIN?" in html
    assert "<script>alert" not in html and 'value="approve"' in html


def test_a_second_reviewer_sees_who_holds_the_draft_and_gets_no_actions(client, rita, sam, pending_draft):
    client.force_login(rita)
    client.get(f"/review/drafts/{pending_draft.pk}/")
    other = Client()
    other.force_login(sam)
    html = other.get(f"/review/drafts/{pending_draft.pk}/").content.decode()
    assert "rita is reviewing this draft until" in html
    assert 'value="approve"' not in html


def test_approving_from_the_page_sends_the_answer_and_returns_to_the_queue(client, rita, pending_draft):
    client.force_login(rita)
    response = client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == "/review/"
    pending_draft.refresh_from_db()
    assert pending_draft.status == Draft.Status.APPROVED


def test_a_decision_from_a_stale_page_is_refused_with_a_clear_message(client, rita, sam, pending_draft):
    client.force_login(rita)
    client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "approve"})
    stale = Client()
    stale.force_login(sam)
    response = stale.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "reject", "reason": "no"})
    assert response.status_code == 409
    assert "Already approved as drafted by rita" in response.content.decode()


def test_a_drafts_state_says_who_holds_or_decided_it_without_claiming_it(client, rita, sam, pending_draft):
    """What a draft's page reads when its socket is back: what it missed while it was closed."""
    other = Client()
    other.force_login(sam)
    url = f"/review/drafts/{pending_draft.pk}/state/"
    assert other.get(url).json() == {
        "draft": pending_draft.pk,
        "status": "pending_review",
        "decided": None,
        "claimed_by": None,
    }
    assert not Claim.objects.filter(draft=pending_draft).exists()  # reading it claims nothing
    client.force_login(rita)
    client.get(f"/review/drafts/{pending_draft.pk}/")
    assert other.get(url).json()["claimed_by"] == "rita"
    client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "approve"})
    state = other.get(url).json()
    assert state["decided"] == {"action": "approved", "reviewer": "rita"}
    assert state["status"] == "approved" and state["claimed_by"] is None


def test_a_rejection_without_a_reason_is_refused_and_nothing_changes(client, rita, pending_draft):
    client.force_login(rita)
    response = client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "reject", "reason": ""})
    assert response.status_code == 400 and "Say why the draft is rejected." in response.content.decode()
    pending_draft.refresh_from_db()
    assert pending_draft.status == Draft.Status.PENDING_REVIEW


def test_an_unknown_action_is_refused(client, rita, pending_draft):
    client.force_login(rita)
    response = client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "delete"})
    assert response.status_code == 400 and "Unknown action" in response.content.decode()


def test_a_missing_draft_is_404(client, rita):
    client.force_login(rita)
    assert client.get("/review/drafts/999999/").status_code == 404


def test_decisions_need_a_csrf_token(rita, pending_draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rita)
    assert client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "approve"}).status_code == 403


def test_releasing_gives_the_draft_back(client, rita, pending_draft):
    client.force_login(rita)
    client.get(f"/review/drafts/{pending_draft.pk}/")
    client.post(f"/review/drafts/{pending_draft.pk}/release/")
    assert not Claim.objects.exists()


def test_the_evaluation_dataset_exports_as_json_lines(client, rita, pending_draft):
    client.force_login(rita)
    client.post(f"/review/drafts/{pending_draft.pk}/decide/", {"action": "edit", "text": "Better answer."})
    response = client.get("/review/evaluation-cases.jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert len(rows) == 1
    assert rows[0]["label"] == "edited" and rows[0]["final_answer"] == "Better answer."
    assert set(rows[0]) >= {
        "question",
        "context",
        "draft",
        "final_answer",
        "label",
        "intent",
        "agent_version",
    }
