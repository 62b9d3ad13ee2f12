"""Customers' messages over the widget's websocket: acknowledged once stored, stored once however often they
are sent (websocket or HTTP, same ref), refused readably, and taken in together when they arrive together."""

import asyncio
import json
import time

import hypothesis
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from hypothesis import strategies as st

from agent.models import Conversation, Message, Ticket
from agent.services import ConversationGone, Incoming, InvalidMessage, store_batch, store_customer_messages
from supportagent.asgi import application
from tests.conftest import SHOP
from widget import intake as intake_module
from widget.tokens import token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop_may_embed")]

STOLEN = "Someone stole my card yesterday"  # always escalated by the demo bank: no LLM needed


def page(conversation: Conversation) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        f"/ws/widget/?token={token_for(conversation)}",
        headers=[(b"origin", SHOP.encode()), (b"host", b"bank")],
    )


async def replies(socket: WebsocketCommunicator, sent: list[object], *, timeout: float = 10) -> list[dict]:
    """Send each frame, then read until every one has its ack or refusal (events in between are skipped)."""
    for frame in sent:
        await socket.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))
    answers = []
    while len(answers) < len(sent):
        frame = await socket.receive_json_from(timeout=timeout)
        if frame.get("type") in ("ack", "refused"):
            answers.append(frame)
    return answers


def over_socket(conversation: Conversation, frames: list[object]) -> list[dict]:
    async def scenario() -> list[dict]:
        socket = page(conversation)
        connected, _ = await socket.connect()
        assert connected
        answers = await replies(socket, frames)
        await socket.disconnect()
        return answers

    return async_to_sync(scenario)()


def test_a_message_over_the_websocket_is_acknowledged_once_stored_then_answered(demo_bank, conversation):
    (ack,) = over_socket(conversation, [{"type": "message", "ref": "m-1", "text": STOLEN}])
    message = conversation.messages.get(role="customer")
    assert ack == {
        "type": "ack",
        "ref": "m-1",
        "message": {"id": message.pk, "role": "customer", "text": STOLEN},
        "status": "open",
    }
    assert message.client_ref == "m-1" and message.redacted_text == STOLEN
    conversation.refresh_from_db()
    assert conversation.status == "escalated" and Ticket.objects.count() == 1  # the agent was queued


def test_a_message_sent_again_under_its_ref_is_stored_and_answered_once(demo_bank, conversation):
    frame = {"type": "message", "ref": "again-1", "text": STOLEN}
    first, second = over_socket(conversation, [frame, frame])
    over_http = Client().post(
        "/widget/api/messages/",
        json.dumps({"text": STOLEN, "ref": "again-1"}),
        content_type="application/json",
        HTTP_ORIGIN=SHOP,
        HTTP_AUTHORIZATION=f"Bearer {token_for(conversation)}",
    )
    assert over_http.status_code == 202
    stored = conversation.messages.get(role="customer")
    assert first["message"]["id"] == second["message"]["id"] == over_http.json()["message"]["id"] == stored.pk
    assert Ticket.objects.count() == 1
    assert conversation.messages.filter(role="system").count() == 1  # one hand-over notice


@pytest.mark.parametrize(
    ("frame", "ref", "error"),
    [
        ("not json", None, 'Send {"type": "message", "ref": ..., "text": ...} as JSON.'),
        ({"type": "typing"}, None, 'Send {"type": "message", "ref": ..., "text": ...} as JSON.'),
        (
            {"type": "message", "text": "hello"},
            None,
            "A message's ref is 1 to 64 letters, digits, '-' or '_'.",
        ),
        (
            {"type": "message", "ref": "a b", "text": "hi"},
            "a b",
            "A message's ref is 1 to 64 letters, digits, '-' or '_'.",
        ),
        ({"type": "message", "ref": "r1", "text": "   "}, "r1", "Please type a message."),
        ({"type": "message", "ref": "r2", "text": 42}, "r2", "Please type a message."),
        (
            {"type": "message", "ref": "r3", "text": "x" * 2001},
            "r3",
            "Please keep messages under 2000 characters.",
        ),
        (
            {"type": "message", "ref": "r4", "text": "card\x00number"},
            "r4",
            "The message contains a character that cannot be stored (NUL).",
        ),
    ],
)
def test_a_bad_frame_is_refused_readably_and_the_socket_stays_open(
    demo_bank, conversation, frame, ref, error
):
    refused, ack = over_socket(conversation, [frame, {"type": "message", "ref": "ok", "text": STOLEN}])
    assert refused == {"type": "refused", "ref": ref, "status": 400, "error": error}
    assert ack["type"] == "ack"
    assert list(conversation.messages.filter(role="customer").values_list("text", flat=True)) == [STOLEN]


def test_a_nul_character_over_http_is_refused_not_a_server_error(demo_bank, conversation):
    response = Client().post(
        "/widget/api/messages/",
        json.dumps({"text": "my card\x00 is lost"}),
        content_type="application/json",
        HTTP_ORIGIN=SHOP,
        HTTP_AUTHORIZATION=f"Bearer {token_for(conversation)}",
    )
    assert response.status_code == 400 and "NUL" in response.json()["error"]
    assert not conversation.messages.exists()


def test_the_rate_limit_holds_over_the_websocket(demo_bank, conversation, settings):
    settings.WIDGET_MESSAGES_PER_MINUTE = 2
    if time.time() % 60 > 50:  # the limit's windows are fixed minutes: all three frames in one of them
        time.sleep(60.5 - time.time() % 60)
    frames = [{"type": "message", "ref": f"r{i}", "text": f"{STOLEN} ({i})"} for i in range(3)]
    answers = over_socket(conversation, frames)
    assert [a["type"] for a in answers] == ["ack", "ack", "refused"]
    assert answers[2]["status"] == 429 and 1 <= answers[2]["retry_after"] <= 61
    assert "faster than we can answer" in answers[2]["error"]
    assert conversation.messages.filter(role="customer").count() == 2


def test_messages_arriving_together_are_stored_together(demo_bank, customer, monkeypatch):
    batches: list[int] = []
    store = intake_module.store

    def counted(batch):  # type: ignore[no-untyped-def]
        batches.append(len(batch))
        return store(batch)

    monkeypatch.setattr(intake_module, "store", counted)
    conversations = [Conversation.objects.create(customer=customer) for _ in range(6)]

    async def scenario() -> list[list[dict]]:
        sockets = [page(conversation) for conversation in conversations]
        for socket in sockets:
            assert (await socket.connect())[0]
        frames = [{"type": "message", "ref": ref, "text": f"{STOLEN} ({ref})"} for ref in ("a", "b")]
        answers = await asyncio.gather(*(replies(socket, frames) for socket in sockets))
        for socket in sockets:
            await socket.disconnect()
        return answers

    answers = async_to_sync(scenario)()
    assert all(a["type"] == "ack" for per_page in answers for a in per_page)
    assert sum(batches) == 12 and len(batches) < 12  # twelve messages, fewer commits
    for conversation in conversations:
        assert conversation.messages.filter(role="customer").count() == 2


def test_a_batch_with_a_message_stored_before_stores_the_others_once(conversation):
    """A resent message in a batch (here stored just before, as by another web process) makes the batch's
    insert conflict: the others are stored one by one, the resent one is the row stored before."""
    before = Message.objects.create(conversation=conversation, role="customer", text="Hi", client_ref="x1")
    results, new = store_batch(
        [Incoming(conversation, "Hi", "x1"), Incoming(conversation, "And my PIN?", "x2")]
    )
    assert [m.client_ref for m in new] == ["x2"]
    assert [m.pk for m in results] == [before.pk, new[0].pk]  # type: ignore[union-attr]
    assert conversation.messages.count() == 2


def test_a_message_for_a_conversation_erased_meanwhile_is_refused_and_the_rest_stored(customer):
    kept, erased = (Conversation.objects.create(customer=customer) for _ in range(2))
    Conversation.objects.filter(pk=erased.pk).delete()  # forget_customer, while the page's socket was open
    results, new = store_batch([Incoming(erased, "Hello", "e1"), Incoming(kept, "Hello", "k1")])
    assert isinstance(results[0], ConversationGone) and "no longer available" in str(results[0])
    assert new == [results[1]] and kept.messages.count() == 1


def test_a_page_whose_conversation_was_erased_is_told_to_start_again(conversation):
    async def scenario() -> dict:
        socket = page(conversation)
        assert (await socket.connect())[0]
        await database_sync_to_async(Conversation.objects.filter(pk=conversation.pk).delete)()
        (answer,) = await replies(socket, [{"type": "message", "ref": "late", "text": "Still there?"}])
        await socket.disconnect()
        return answer

    answer = async_to_sync(scenario)()
    assert answer["type"] == "refused" and answer["status"] == 401  # the widget forgets its token on a 401
    assert not Message.objects.exists()


def test_the_same_ref_twice_in_one_batch_is_one_message(conversation):
    results, new = store_batch([Incoming(conversation, "Hello", "d1"), Incoming(conversation, "Hello", "d1")])
    assert len(new) == 1 and results[0] is results[1] is new[0]
    assert conversation.messages.count() == 1


ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300)  # surrogate halves and NUL included
FRAMES = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=300),  # the test client sends no ""
    st.builds(
        json.dumps,
        st.dictionaries(
            st.sampled_from(["type", "ref", "text", "x"]),
            st.one_of(st.just("message"), ANY_TEXT, st.integers(), st.none(), st.lists(st.integers())),
        ),
    ),
)


@hypothesis.settings(max_examples=40, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(st.lists(FRAMES, min_size=1, max_size=5))
def test_any_frame_is_refused_readably_and_the_socket_stays_open(conversation, settings, frames):
    settings.WIDGET_MESSAGES_PER_MINUTE = 0  # a frame that is a message is refused after every other check

    answers = over_socket(conversation, frames)
    for answer in answers:
        assert answer["type"] == "refused" and answer["status"] in (400, 429) and answer["error"]
    assert not conversation.messages.exists()


@hypothesis.settings(max_examples=150, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(ANY_TEXT)
def test_any_text_is_stored_as_sent_or_refused_with_a_reason(conversation, text):
    (result,) = store_customer_messages([Incoming(conversation, text)])
    if isinstance(result, InvalidMessage):
        assert str(result)
    else:
        result.refresh_from_db()
        assert result.text == text.strip() and result.redacted_text
