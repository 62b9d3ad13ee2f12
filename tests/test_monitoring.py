"""The staff dashboard and Prometheus' /metrics, after a known series of events."""

import pytest
from django.test import Client

from agent.models import Customer, ThresholdPolicy
from agent.pipeline import run_agent
from agent.services import start_conversation, store_customer_message
from monitoring.figures import figures, percentiles
from review import services
from tests.fake_openai import completion_body, scripted_llm

pytestmark = pytest.mark.django_db

GROUNDED = "Your card usually arrives within 3–5 working days in the UK."
TOKEN = "scrape-me-7781"


def ask(text: str, customer_id: str = "c-1"):  # type: ignore[no-untyped-def]
    customer, _ = Customer.objects.get_or_create(external_id=customer_id)
    message = store_customer_message(conversation=start_conversation(customer=customer), text=text)
    return run_agent(message=message)


@pytest.fixture
def known_events(demo_bank, settings, rita):  # type: ignore[no-untyped-def]
    """Two stolen cards (escalated, no LLM), one answer sent, one held and approved, one evaluation run."""
    ThresholdPolicy.objects.filter(intent__in=["card_arrival", "card_delivery_estimate"]).update(
        auto_send_threshold=0.0
    )
    ask("Someone stole my card yesterday")
    ask("My card was stolen on the train")
    ask("Someone stole my card", customer_id="evaluation-123")  # not traffic
    with scripted_llm([(200, completion_body(GROUNDED))] * 2) as (url, _):
        settings.OPENAI_BASE_URL = url
        ask("My new card still hasn't arrived, when will it come?")
        ThresholdPolicy.objects.update(auto_send_threshold=1.0)
        from agent.config import config

        config.clear()
        held = ask("How long does card delivery take?")
    services.approve_draft(draft=held, reviewer=rita)


def test_metrics_need_the_token(demo_bank, settings):
    settings.METRICS_TOKEN = TOKEN
    refused = Client().get("/metrics")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_metrics_count_the_known_events(known_events, settings):
    settings.METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = set(response.content.decode().splitlines())
    assert {
        "supportagent_conversations_total 4",
        'supportagent_drafts_total{decision="auto_send"} 1',
        'supportagent_drafts_total{decision="review"} 1',
        'supportagent_drafts_total{decision="escalate"} 2',
        'supportagent_review_decisions_total{action="approved"} 1',
        'supportagent_tool_calls_total{tool="search_knowledge_base",outcome="ok"} 2',
        'supportagent_tool_retries_total{tool="search_knowledge_base"} 0',
        'supportagent_cache_lookups_total{result="miss"} 2',
        'supportagent_step_latency_seconds_count{step="guard"} 4',
        'supportagent_step_latency_seconds_bucket{step="guard",le="+Inf"} 4',
        "# TYPE supportagent_step_latency_seconds histogram",
    } <= lines


def test_a_reviewer_may_read_the_metrics_without_the_token(known_events, rita):
    client = Client()
    client.force_login(rita)
    assert client.get("/metrics").status_code == 200


def test_the_dashboard_shows_the_known_events_to_reviewers_only(known_events, rita):
    assert Client().get("/dashboard/").status_code == 302  # to the login page
    client = Client()
    client.force_login(rita)
    html = client.get("/dashboard/", {"days": "7"}).content.decode()
    assert html.count('<svg class="chart" role="img"') == 5
    assert '<dd id="resolved">1</dd>' in html and "<strong>7 days</strong>" in html
    assert "<td>search_knowledge_base</td><td>2</td><td>0</td><td>0</td>" in html
    today = figures(7)
    assert today.conversations[-1] == 4 and today.decisions["escalate"][-1] == 2
    assert today.approval_rate[-1] == 1.0


def test_percentiles_of_known_values():
    assert percentiles([5.0]) == (5.0, 5.0, 1)
    p50, p95, n = percentiles([float(v) for v in range(1, 101)])
    assert (p50, n) == (50.5, 100) and p95 == pytest.approx(95.05)
