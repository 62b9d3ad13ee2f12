"""Live events over Channels: reviewers' pages and the customer's page hear of changes after they commit."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from agent.views import SESSION_KEY
from review import services
from supportagent.asgi import application
from tests.conftest import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1")


def run(scenario):
    return async_to_sync(scenario)()


def test_a_reviewer_hears_a_claim_and_a_decision(make_reviewer, make_pending_draft):
    rita, sam = make_reviewer("rita"), make_reviewer("sam")
    draft = make_pending_draft()
    cookie = session_cookie(sam)

    async def scenario():
        page = WebsocketCommunicator(application, "/ws/review/", headers=[ORIGIN, cookie])
        connected, _ = await page.connect()
        assert connected
        await database_sync_to_async(services.claim_draft)(draft=draft, reviewer=rita)
        claimed = await page.receive_json_from(timeout=5)
        await database_sync_to_async(services.approve_draft)(draft=draft, reviewer=rita)
        decided = await page.receive_json_from(timeout=5)
        await page.disconnect()
        return claimed, decided

    claimed, decided = run(scenario)
    assert (
        claimed["name"] == "draft.claimed" and claimed["draft"] == draft.pk and claimed["reviewer"] == "rita"
    )
    assert decided == {"name": "draft.decided", "draft": draft.pk, "action": "approved", "reviewer": "rita"}


def test_a_new_draft_for_review_is_announced(make_reviewer, conversation):
    cookie = session_cookie(make_reviewer("rita"))

    async def scenario():
        page = WebsocketCommunicator(application, "/ws/review/", headers=[ORIGIN, cookie])
        assert (await page.connect())[0]
        await database_sync_to_async(_queue_a_draft)(conversation)
        event = await page.receive_json_from(timeout=5)
        await page.disconnect()
        return event

    event = run(scenario)
    assert event["name"] == "draft.queued" and event["intent"] == "change_pin"


def _queue_a_draft(conversation):
    from agent.models import AgentRun, Draft
    from agent.models.drafts import Decision
    from agent.outcomes import apply_decision
    from agent.services import store_customer_message

    message = store_customer_message(conversation=conversation, text="How do I change my PIN?")
    run = AgentRun.objects.create(message=message, final_state={"in_scope": True})
    draft = Draft.objects.create(
        run=run,
        conversation=conversation,
        message=message,
        intent="change_pin",
        text="Answer.",
        confidence=0.5,
        decision="review",
        status=Draft.Status.PENDING_REVIEW,
    )
    apply_decision(draft=draft, decision=Decision.REVIEW)


def test_people_who_are_not_reviewers_cannot_listen_to_the_queue(db):
    staff_cookie = session_cookie(User.objects.create_user("staff", is_staff=True))

    async def scenario():
        results = []
        for headers in ([ORIGIN], [ORIGIN, staff_cookie]):
            page = WebsocketCommunicator(application, "/ws/review/", headers=headers)
            results.append((await page.connect())[0])
            await page.disconnect()
        return results

    assert run(scenario) == [False, False]


def test_a_page_from_another_site_cannot_connect(make_reviewer):
    cookie = session_cookie(make_reviewer("rita"))

    async def scenario():
        headers = [(b"origin", b"https://evil.example"), cookie]
        page = WebsocketCommunicator(application, "/ws/review/", headers=headers)
        connected, _ = await page.connect()
        await page.disconnect()
        return connected

    assert run(scenario) is False


def test_the_customer_hears_that_the_answer_arrived(make_reviewer, make_pending_draft):
    rita = make_reviewer("rita")
    draft = make_pending_draft()
    customer_cookie = session_cookie(**{SESSION_KEY: str(draft.conversation.public_id)})

    async def scenario():
        page = WebsocketCommunicator(application, "/ws/chat/", headers=[ORIGIN, customer_cookie])
        assert (await page.connect())[0]
        await database_sync_to_async(services.approve_draft)(draft=draft, reviewer=rita)
        event = await page.receive_json_from(timeout=5)
        await page.disconnect()
        return event

    event = run(scenario)
    answer = draft.conversation.messages.exclude(role="customer").get()
    assert event == {"name": "conversation.updated", "status": "answered", "message": answer.pk}


def test_a_chat_socket_without_a_conversation_is_refused(db):
    async def scenario():
        page = WebsocketCommunicator(application, "/ws/chat/", headers=[ORIGIN])
        connected, _ = await page.connect()
        await page.disconnect()
        return connected

    assert run(scenario) is False
