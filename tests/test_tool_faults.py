"""Tools failing under a real run: the search through Elasticsearch's wire protocol and the hand-over
ticket through Zendesk's, both on loopback; the real routing model, and the real local LLM where an answer
is drafted."""

import pytest

from agent.models import Conversation, Message, ThresholdPolicy, Ticket
from agent.pipeline import run_agent
from agent.services import store_customer_message
from tests.fake_elasticsearch import fake_elasticsearch
from tests.fake_openai import completion_body, scripted_llm, tool_call_body

pytestmark = pytest.mark.django_db
QUESTION = "My new card still hasn't arrived, when will it come?"
NOTHING_LISTENS = "http://127.0.0.1:9/v1"


@pytest.fixture
def elasticsearch(demo_bank, settings):  # type: ignore[no-untyped-def]
    """The search backend switched to a fake Elasticsearch holding the demo bank's articles."""
    from agent.search import get_search_backend

    with fake_elasticsearch() as server:
        settings.SEARCH_BACKEND = "elasticsearch"
        settings.ELASTICSEARCH_URL = server.url
        settings.ELASTICSEARCH_INDEX = "knowledge-faults"
        get_search_backend().rebuild_index()
        yield server


def ask(conversation, text):  # type: ignore[no-untyped-def]
    return run_agent(message=store_customer_message(conversation=conversation, text=text))


def retrieve_step(draft):  # type: ignore[no-untyped-def]
    return draft.run.steps.get(node="retrieve")


def test_a_search_failing_twice_then_succeeding_takes_three_attempts_and_the_answer_is_sent(
    elasticsearch, conversation, local_llm
):
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    elasticsearch.fail_next(503, times=2)
    draft = ask(conversation, QUESTION)
    assert elasticsearch.searches() == 3
    step = retrieve_step(draft)
    [call] = step.tool_calls
    assert (call["tool"], call["ok"], call["attempts"]) == ("search_knowledge_base", True, 3)
    assert step.error == ""
    assert draft.decision == "auto_send" and draft.intent in {"card_arrival", "card_delivery_estimate"}
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ANSWERED
    assert conversation.messages.get(role=Message.Role.AGENT).text == draft.text


def test_a_search_that_keeps_failing_escalates_tells_the_customer_and_opens_a_zendesk_ticket(
    elasticsearch, zendesk, conversation, settings
):
    settings.OPENAI_BASE_URL = NOTHING_LISTENS  # no answer can be drafted from nothing: no LLM call at all
    conversation.customer.email = "sam@example.com"  # Zendesk needs a requester it can write to
    conversation.customer.save()
    elasticsearch.fail_always(503)
    draft = ask(conversation, QUESTION)
    assert elasticsearch.searches() == 3
    step = retrieve_step(draft)
    assert step.tool_calls[0]["attempts"] == 3 and not step.tool_calls[0]["ok"]
    assert "503" in step.error and "search_knowledge_base" in step.error
    assert draft.decision == "escalate" and "knowledge base could not be searched" in draft.reason
    assert "draft" not in draft.run.steps.values_list("node", flat=True)
    [ticket] = zendesk.tickets
    assert draft.ticket_reference == str(ticket["id"]) and draft.ticket is None
    assert QUESTION in ticket["description"]
    assert "knowledge base could not be searched" in ticket["description"]
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ESCALATED
    notice = conversation.messages.get(role=Message.Role.SYSTEM).text
    assert f"ticket reference is {ticket['id']}" in notice


def test_a_ticketing_outage_still_hands_over_and_tells_the_customer(demo_bank, conversation, zendesk):
    conversation.customer.email = "sam@example.com"
    conversation.customer.save()
    for _ in range(3):
        zendesk.fail_next(503)
    draft = ask(conversation, "Someone stole my card yesterday")
    assert draft.decision == "escalate" and draft.ticket_reference == ""
    assert zendesk.tickets == [] and len(zendesk.requests) == 3
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ESCALATED
    notice = conversation.messages.get(role=Message.Role.SYSTEM).text
    assert "passed your message to our support team" in notice and "reference" not in notice


def test_the_model_can_hand_the_conversation_over_with_one_ticket(demo_bank, conversation, settings):
    script = [
        (200, tool_call_body("escalate_to_human", '{"reason": "The customer disputes a charge."}')),
        (200, completion_body("I have passed you to a specialist.")),
    ]
    with scripted_llm(script) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, QUESTION)
    ticket = Ticket.objects.get()
    assert draft.decision == "escalate" and draft.ticket == ticket
    assert draft.reason == "the assistant handed the conversation to a human"
    assert llm.requests[0]["tool_choice"] == "auto"
    assert [call["tool"] for call in draft.run.steps.get(node="draft").tool_calls] == ["escalate_to_human"]
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ESCALATED
    assert ticket.reference in conversation.messages.get(role=Message.Role.SYSTEM).text


def test_a_question_about_own_tickets_makes_the_model_read_them_first(demo_bank, conversation, settings):
    earlier = Ticket.objects.create(
        customer=conversation.customer, subject="Card not arrived", reason="Ordered two weeks ago."
    )
    answer = f"Your ticket {earlier.reference} (Card not arrived) is open."
    script = [(200, tool_call_body("get_recent_tickets", "{}")), (200, completion_body(answer))]
    with scripted_llm(script) as (url, llm):
        settings.OPENAI_BASE_URL = url
        draft = ask(conversation, "What is happening with my ticket about the card that never arrived?")
    forced = {"type": "function", "function": {"name": "get_recent_tickets"}}
    assert llm.requests[0]["tool_choice"] == forced
    assert earlier.reference in llm.requests[1]["messages"][-1]["content"]
    assert draft.signals["draft_origin"] == "llm" and draft.text.startswith(answer)
