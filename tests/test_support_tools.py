"""The agent's support tools, through the runner, against the built-in tickets and a Zendesk on loopback."""

import json

import pytest

from agent.models import Conversation, Customer, Ticket
from agent.tools.registry import ToolContext
from agent.tools.runner import ToolRunner
from agent.tools.support import support_runner, support_tools
from tests.fake_zendesk import fake_zendesk

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(conversation):
    return ToolContext(customer=conversation.customer, conversation=conversation)


@pytest.fixture
def no_waiting():
    return ToolRunner(support_tools, sleep=lambda seconds: None)


@pytest.fixture
def zendesk(context, settings):
    """Tickets go to a Zendesk on loopback; the customer has the email Zendesk needs."""
    context.customer.email = "sam@example.com"
    context.customer.save()
    with fake_zendesk(email="bot@lumen.example", api_token="t0ken") as server:
        settings.TICKETING_BACKEND = "zendesk"
        settings.ZENDESK_URL = server.url
        settings.ZENDESK_EMAIL, settings.ZENDESK_API_TOKEN = "bot@lumen.example", "t0ken"
        yield server


def test_the_four_tools_are_offered_to_the_llm():
    names = [schema["function"]["name"] for schema in support_tools.schemas()]
    assert names == ["search_knowledge_base", "create_ticket", "escalate_to_human", "get_recent_tickets"]


def test_search_returns_the_answering_article(demo_bank, context):
    result = support_runner.call("search_knowledge_base", {"query": "how do I use apple pay"}, context)
    assert result.ok and result.attempts == 1
    assert result.content[0]["title"] == "Can I use Apple Pay or Google Pay?"


def test_create_ticket_opens_one_for_the_conversations_customer_only(context):
    result = support_runner.call(
        "create_ticket", {"subject": "Card not arrived", "description": "Ordered 3 weeks ago"}, context
    )
    ticket = Ticket.objects.get()
    assert result.ok and result.content["reference"] == ticket.reference
    assert ticket.customer == context.customer and ticket.conversation == context.conversation


def test_a_request_for_another_customers_tickets_is_refused(context):
    other = Customer.objects.create(external_id="c-200")
    Ticket.objects.create(customer=other, subject="Someone else's problem")
    refused = support_runner.call("get_recent_tickets", {"customer_id": other.pk}, context)
    assert not refused.ok and "get_recent_tickets does not take customer_id" in refused.error
    mine = support_runner.call("get_recent_tickets", {}, context)
    assert mine.ok and mine.content == []


def test_escalating_opens_an_urgent_ticket_and_marks_the_conversation(context):
    result = support_runner.call("escalate_to_human", {"reason": "Customer reports fraud"}, context)
    assert result.ok
    context.conversation.refresh_from_db()
    assert context.conversation.status == Conversation.Status.ESCALATED


def test_zendesk_failing_twice_then_succeeding_takes_three_attempts(context, zendesk, no_waiting):
    zendesk.fail_next(503)
    zendesk.fail_next(429, headers={"Retry-After": "1"})
    result = no_waiting.call("create_ticket", {"subject": "Help", "description": "Please call me"}, context)
    assert result.ok and result.attempts == 3
    assert zendesk.tickets[0]["subject"] == "Help"


def test_zendesk_always_failing_is_reported_to_the_llm_after_three_attempts(context, zendesk, no_waiting):
    for _ in range(5):
        zendesk.fail_next(500)
    result = no_waiting.call("create_ticket", {"subject": "Help", "description": "Please call me"}, context)
    assert not result.ok and result.attempts == 3 and len(zendesk.requests) == 3
    assert "Do not invent" in json.loads(result.for_llm())["advice"]
