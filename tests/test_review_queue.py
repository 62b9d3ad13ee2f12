import pytest
from django.contrib.auth.models import Group, User

from agent.models import AgentRun, Draft
from agent.services import store_customer_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    user = User.objects.create_user("rev", password="pw-123456", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="Support reviewers")[0])
    return user


@pytest.fixture
def pending_draft(conversation):
    message = store_customer_message(conversation=conversation, text="Why was I charged <b>twice</b>?")
    run = AgentRun.objects.create(message=message)
    return Draft.objects.create(
        run=run,
        conversation=conversation,
        message=message,
        intent="card_payment_fee_charged",
        text="<script>alert('x')</script> We charge no fee.",
        confidence=0.42,
        decision="review",
        status=Draft.Status.PENDING_REVIEW,
    )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/review/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_outside_the_reviewers_group_are_refused(client):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get("/review/").status_code == 403


def test_a_reviewer_sees_pending_drafts_escaped(client, reviewer, pending_draft):
    client.force_login(reviewer)
    html = client.get("/review/").content.decode()
    assert "card_payment_fee_charged" in html and "0.42" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;twice&lt;/b&gt;" in html


def test_the_queue_filters_by_intent(client, reviewer, pending_draft):
    client.force_login(reviewer)
    assert "We charge no fee" not in client.get("/review/?intent=card_arrival").content.decode()
