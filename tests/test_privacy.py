"""Erasing a customer's personal data on request and after the retention period."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from agent.cache import get_response_cache
from agent.models import AgentRun, AgentStep, CachedResponse, Conversation, Customer, Draft, Message, Ticket
from agent.pipeline import run_agent
from agent.privacy import ERASED, enforce_retention
from agent.services import start_conversation, store_customer_message
from review.models import EvaluationCase

pytestmark = pytest.mark.django_db

SECRET = "Samira Quince"  # a name: screening does not mask names, erasure must remove them anyway


def answered(customer, question, settings):  # type: ignore[no-untyped-def]
    conversation = start_conversation(customer=customer)
    return run_agent(message=store_customer_message(conversation=conversation, text=question))


@pytest.fixture
def history(  # type: ignore[no-untyped-def]
    demo_bank, customer, local_llm, settings, client, rita, django_capture_on_commit_callbacks
):
    """A sent (and cached) answer, a reviewed draft and a hand-over ticket, all mentioning the customer."""
    from agent.config import config
    from agent.models import ThresholdPolicy

    customer.name, customer.email = SECRET, "samira@example.com"
    customer.save()
    ThresholdPolicy.objects.update(auto_send_threshold=0.0)
    with django_capture_on_commit_callbacks(execute=True):  # Redis caches an answer once it is committed
        sent = answered(customer, f"I'm {SECRET}, how long does a card take to arrive?", settings)
    ThresholdPolicy.objects.update(auto_send_threshold=1.0)
    config.clear()  # a bulk update sends no signal to the configuration cache
    reviewed = answered(customer, f"I'm {SECRET}, how do I top up with apple pay?", settings)
    assert reviewed.status == Draft.Status.PENDING_REVIEW, reviewed.reason
    client.force_login(rita)
    client.get(f"/review/drafts/{reviewed.pk}/")
    client.post(
        f"/review/drafts/{reviewed.pk}/decide/", {"action": "edit", "text": f"Dear {SECRET}, use the app."}
    )
    handed = answered(customer, f"I'm {SECRET}, I want to talk to a human", settings)
    return sent, reviewed, handed


def everything_about(customer: Customer) -> str:
    rows = [
        *Message.objects.filter(conversation__customer=customer).values_list("text", "redacted_text"),
        *Draft.objects.filter(conversation__customer=customer).values_list("text", "reason"),
        *AgentRun.objects.filter(message__conversation__customer=customer).values_list(
            "final_state", "error"
        ),
        *AgentStep.objects.filter(run__message__conversation__customer=customer).values_list(
            "input_summary", "output_summary"
        ),
        *Ticket.objects.filter(customer=customer).values_list("subject", "reason"),
        *CachedResponse.objects.values_list("question", "text"),
        (customer.name, customer.email),
    ]
    return repr(rows)


def test_forget_customer_erases_everything_personal_and_says_what(history, customer):
    sent, reviewed, handed = history
    cache = get_response_cache()  # the database's or Redis's, as configured
    asked = [(d.message.masked_text, d.intent) for d in Draft.objects.filter(status=Draft.Status.SENT)]
    cached = sum(cache.lookup(question=q, intent=i) is not None for q, i in asked)
    assert SECRET in everything_about(customer) and cached >= 1
    out = io.StringIO()
    call_command("forget_customer", "c-100", stdout=out)
    customer.refresh_from_db()
    assert SECRET not in everything_about(customer) and "samira@example.com" not in everything_about(customer)
    assert customer.external_id == f"forgotten-{customer.pk}"
    assert all(cache.lookup(question=q, intent=i) is None for q, i in asked)
    report = out.getvalue()
    assert report.startswith("Erased for c-100:")
    assert (
        "messages: 6" in report and f"cached answers: {cached}" in report and "customer records: 1" in report
    )
    # the rows stay, so metrics stay true; the evaluation case stays, with no way back to the customer
    assert Draft.objects.filter(conversation__customer=customer).count() == 3
    case = EvaluationCase.objects.get()
    assert SECRET not in case.question and case.decision.draft.message.text == ERASED
    assert Message.objects.filter(conversation__customer=customer).exclude(text=ERASED).count() == 0


def test_forgetting_twice_erases_nothing_more_and_an_unknown_customer_is_a_clear_error(history):
    call_command("forget_customer", "c-100", stdout=io.StringIO())
    customer = Customer.objects.get(name="")
    again = io.StringIO()
    call_command("forget_customer", customer.external_id, stdout=again)
    assert "messages" not in again.getvalue() and "customer records: 1" in again.getvalue()
    with pytest.raises(CommandError, match="No customer with id 'nobody'"):
        call_command("forget_customer", "nobody")


def test_other_customers_keep_their_data(history, demo_bank, local_llm, settings):
    other = Customer.objects.create(external_id="c-200", name="Other Person")
    kept = answered(other, "how long does a card take to arrive?", settings)
    call_command("forget_customer", "c-100", stdout=io.StringIO())
    kept.message.refresh_from_db()
    assert kept.message.text == "how long does a card take to arrive?"
    assert Customer.objects.get(external_id="c-200").name == "Other Person"


def test_the_admin_action_erases_the_selected_customers(history, client, customer):
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    response = client.post(
        "/admin/agent/customer/",
        {"action": "forget", "_selected_action": [customer.pk], "index": 0, "select_across": 0},
        follow=True,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Customer c-100: " in html
    customer.refresh_from_db()
    assert customer.name == "" and SECRET not in everything_about(customer)


def test_retention_erases_conversations_older_than_the_period(customer, settings):
    settings.RETENTION_DAYS = 30
    old = start_conversation(customer=customer)
    store_customer_message(conversation=old, text="my card 4111 1111 1111 1111 is lost")
    recent = start_conversation(customer=customer)
    store_customer_message(conversation=recent, text="and my new one?")
    Conversation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    erased = enforce_retention()
    assert erased["messages"] == 1
    assert old.messages.get().text == ERASED and recent.messages.get().text == "and my new one?"
    assert enforce_retention() == {}  # already erased: nothing more
    settings.RETENTION_DAYS = 0
    Conversation.objects.filter(pk=recent.pk).update(updated_at=timezone.now() - timedelta(days=999))
    assert enforce_retention() == {} and recent.messages.get().text == "and my new one?"
