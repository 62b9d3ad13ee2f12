"""The widget's JSON API over HTTP: tokens, messages, limits, origins, feedback and ratings."""

import json

import pytest
from django.test import Client

from agent.models import AnswerFeedback, Conversation, ConversationRating, Message, Ticket
from agent.outcomes import deliver
from tests.conftest import SHOP
from widget.tokens import token_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shop_may_embed")]

API = "/widget/api"
STOLEN = "Someone stole my card yesterday"  # always escalated by the demo bank: no LLM needed


def call(client, method, path, body=None, token=None, origin=SHOP, **headers):  # type: ignore[no-untyped-def]
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if origin:
        headers["HTTP_ORIGIN"] = origin
    if method == "GET":
        return client.get(f"{API}/{path}", **headers)
    data = body if isinstance(body, str) else json.dumps(body or {})
    return client.generic(method, f"{API}/{path}", data, content_type="application/json", **headers)


def new_conversation(client=None):  # type: ignore[no-untyped-def]
    response = call(client or Client(), "POST", "conversations/")
    assert response.status_code == 201
    return response.json()["token"], Conversation.objects.get(public_id=response.json()["conversation"]["id"])


def answer(conversation, text="Your card arrives in 3–5 working days."):  # type: ignore[no-untyped-def]
    return deliver(conversation=conversation, role=Message.Role.AGENT, text=text, status="answered")


def test_a_new_conversation_gets_a_token_that_reopens_it(demo_bank):
    client = Client()
    token, conversation = new_conversation(client)
    response = call(client, "GET", "conversation/", token=token)
    assert response.status_code == 200
    assert response.json()["conversation"] == {
        "id": str(conversation.public_id),
        "status": "open",
        "messages": [],
        "can_rate": False,
        "rating": None,
    }
    assert response["Access-Control-Allow-Origin"] == SHOP


@pytest.mark.parametrize("authorization", ["", "Bearer ", "Bearer not-a-token", "Basic abc"])
def test_a_missing_or_forged_token_is_refused(demo_bank, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = call(Client(), "GET", "conversation/", **headers)
    assert response.status_code == 401 and "start a new one" in response.json()["error"]


def test_a_token_opens_only_its_own_conversation(demo_bank):
    mine, _ = new_conversation()
    theirs_token, theirs = new_conversation()
    call(Client(), "POST", "messages/", {"text": "Where is my card?"}, token=theirs_token)
    tampered = mine[:-2] + ("AA" if not mine.endswith("AA") else "BB")
    assert call(Client(), "GET", "conversation/", token=tampered).status_code == 401
    seen = call(Client(), "GET", "conversation/", token=mine).json()["conversation"]
    assert seen["id"] != str(theirs.public_id) and seen["messages"] == []


def test_an_expired_token_is_refused(demo_bank, settings):
    token, _ = new_conversation()
    settings.WIDGET_TOKEN_MAX_AGE_SECONDS = -1
    response = call(Client(), "GET", "conversation/", token=token)
    assert response.status_code == 401 and "expired" in response.json()["error"]


def test_a_message_is_stored_then_answered(demo_bank, django_capture_on_commit_callbacks):
    token, conversation = new_conversation()
    with django_capture_on_commit_callbacks(execute=True) as processing:
        response = call(Client(), "POST", "messages/", {"text": STOLEN}, token=token)
        assert response.status_code == 202
        assert response.json()["message"]["text"] == STOLEN
        assert [m["role"] for m in response.json()["conversation"]["messages"]] == ["customer"]
    assert processing  # the agent was queued once the message was committed
    stored = call(Client(), "GET", "conversation/", token=token).json()["conversation"]
    assert [m["role"] for m in stored["messages"]] == ["customer", "system"]
    assert stored["status"] == "escalated" and Ticket.objects.get().reference in stored["messages"][1]["text"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"text": "   "}, "Please type a message."),
        ({"text": "x" * 2001}, "Please keep messages under 2000 characters."),
        ({"text": 42}, "Please type a message."),
        ({}, "Please type a message."),
        ("{not json", "The request was not valid JSON."),
        ("[1, 2]", "The request must be a JSON object."),
    ],
)
def test_a_bad_message_is_refused_clearly_and_nothing_is_stored(demo_bank, body, error):
    token, conversation = new_conversation()
    response = call(Client(), "POST", "messages/", body, token=token)
    assert response.status_code == 400 and response.json() == {"error": error}
    assert not conversation.messages.exists()


def test_too_many_messages_in_a_conversation_are_refused_with_the_wait(demo_bank, settings):
    settings.WIDGET_MESSAGES_PER_MINUTE = 2
    token, conversation = new_conversation()
    for _ in range(2):
        assert call(Client(), "POST", "messages/", {"text": STOLEN}, token=token).status_code == 202
    refused = call(Client(), "POST", "messages/", {"text": "one more"}, token=token)
    assert refused.status_code == 429
    assert "faster than we can answer" in refused.json()["error"]
    assert 1 <= refused.json()["retry_after"] <= 61 and refused["Retry-After"] == str(
        refused.json()["retry_after"]
    )
    assert refused["Access-Control-Expose-Headers"] == "Retry-After"
    assert not conversation.messages.filter(text="one more").exists()


def test_messages_per_address_are_limited_across_conversations(demo_bank, settings):
    settings.WIDGET_MESSAGES_PER_MINUTE_PER_IP = 2
    tokens = [new_conversation()[0] for _ in range(3)]
    statuses = [call(Client(), "POST", "messages/", {"text": STOLEN}, token=t).status_code for t in tokens]
    assert statuses == [202, 202, 429]


def test_new_conversations_per_address_are_limited(demo_bank, settings):
    settings.WIDGET_CONVERSATIONS_PER_HOUR_PER_IP = 1
    new_conversation()
    refused = call(Client(), "POST", "conversations/")
    assert refused.status_code == 429 and "Too many new conversations" in refused.json()["error"]


def test_a_page_from_an_origin_not_allowed_is_refused_readably(demo_bank):
    response = call(Client(), "POST", "conversations/", origin="https://evil.example")
    assert response.status_code == 403
    assert response.json() == {"error": "This website is not allowed to use the Lumen Bank chat."}
    assert response["Access-Control-Allow-Origin"] == "https://evil.example"  # so the widget can show it
    assert not Conversation.objects.exists()


def test_the_apps_own_pages_and_preflights_are_served(demo_bank):
    assert call(Client(), "POST", "conversations/", origin="http://testserver").status_code == 201
    preflight = call(Client(), "OPTIONS", "messages/")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert preflight["Access-Control-Allow-Origin"] == SHOP


def test_a_wrong_method_is_refused(demo_bank):
    token, _ = new_conversation()
    assert call(Client(), "GET", "messages/", token=token).status_code == 405


def test_feedback_on_an_answer_is_kept_with_its_agent_version(demo_bank, make_pending_draft):
    draft = make_pending_draft()
    token = token_for(draft.conversation)
    sent = deliver(
        conversation=draft.conversation, role="agent", text=draft.text, status="answered", draft=draft
    )
    response = call(Client(), "POST", "feedback/", {"message_id": sent.pk, "value": "down"}, token=token)
    assert response.status_code == 200
    [message] = [m for m in response.json()["conversation"]["messages"] if m["id"] == sent.pk]
    assert message["feedback"] == "down"
    call(Client(), "POST", "feedback/", {"message_id": sent.pk, "value": "up"}, token=token)
    feedback = AnswerFeedback.objects.get()
    assert (feedback.value, feedback.agent_version, feedback.conversation) == (
        "up",
        draft.run.agent_version,
        draft.conversation,
    )


def test_feedback_only_on_this_conversations_answers(demo_bank):
    token, conversation = new_conversation()
    other_token, other = new_conversation()
    call(Client(), "POST", "messages/", {"text": "Where is my card?"}, token=token)
    own_question = conversation.messages.get(role="customer")
    foreign_answer = answer(other)
    for message_id in (own_question.pk, foreign_answer.pk, "1", True):
        response = call(Client(), "POST", "feedback/", {"message_id": message_id, "value": "up"}, token=token)
        assert response.status_code == 404
    bad = call(
        Client(), "POST", "feedback/", {"message_id": foreign_answer.pk, "value": "meh"}, token=other_token
    )
    assert bad.status_code == 400 and not AnswerFeedback.objects.exists()


def test_a_conversation_is_rated_once_it_has_an_answer(demo_bank):
    token, conversation = new_conversation()
    early = call(Client(), "POST", "rating/", {"score": 5}, token=token)
    assert early.status_code == 400 and early.json()["error"] == "There is no answer to rate yet."
    answer(conversation)
    for score in (0, 6, 4.5, "5", True):
        assert call(Client(), "POST", "rating/", {"score": score}, token=token).status_code == 400
    rated = call(Client(), "POST", "rating/", {"score": 4}, token=token).json()["conversation"]
    assert rated["rating"] == 4 and rated["can_rate"]
    call(Client(), "POST", "rating/", {"score": 2}, token=token)
    assert ConversationRating.objects.get(conversation=conversation).score == 2


def test_talk_to_a_human_hands_over_once_with_a_ticket(demo_bank, django_capture_on_commit_callbacks):
    token, conversation = new_conversation()
    with django_capture_on_commit_callbacks(execute=True):
        assert call(Client(), "POST", "human/", token=token).status_code == 202
    first = call(Client(), "GET", "conversation/", token=token).json()["conversation"]
    assert first["status"] == "escalated"
    with django_capture_on_commit_callbacks(execute=True):
        again = call(Client(), "POST", "human/", token=token)
    assert again.json()["conversation"] == first
    ticket = Ticket.objects.get()
    assert conversation.messages.filter(role="system", text__contains=ticket.reference).count() == 1


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client):
    html = client.get("/widget/demo/").content.decode()
    assert html.count("<script") == 1 and "widget/widget.js" in html
    assert 'data-endpoint="http://testserver"' in html
