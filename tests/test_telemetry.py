"""OpenTelemetry spans for a run, its steps and its LLM call, seen by an in-memory exporter."""

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent import telemetry
from agent.pipeline import run_agent
from agent.services import store_customer_message
from tests.fake_openai import completion_body, scripted_llm

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(monkeypatch):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(telemetry, "tracer", provider.get_tracer("supportagent"))
    monkeypatch.setattr(telemetry, "enabled", True)
    return exporter


def test_a_run_exports_spans_for_itself_its_steps_and_its_llm_call(
    demo_bank, conversation, settings, exported
):
    with scripted_llm([(200, completion_body("Your card usually arrives within 3–5 working days."))]) as (
        url,
        _,
    ):
        settings.OPENAI_BASE_URL = url
        run_agent(message=store_customer_message(conversation=conversation, text="When will my card arrive?"))
    spans = {span.name: span for span in exported.get_finished_spans()}
    assert {"agent.run", "agent.step guard", "agent.step draft", "agent.step decide", "llm.chat"} <= set(
        spans
    )
    assert spans["llm.chat"].attributes["prompt_tokens"] == 11
    assert spans["llm.chat"].parent.span_id == spans["agent.step draft"].context.span_id
    assert spans["agent.step draft"].parent.span_id == spans["agent.run"].context.span_id
    search = spans["tool search_knowledge_base"]
    assert search.parent.span_id == spans["agent.step retrieve"].context.span_id
    assert search.attributes["ok"] is True and search.attributes["attempts"] == 1


def test_without_a_configured_sdk_spans_record_nothing():
    with telemetry.span("anything", key="value") as current:
        assert not current.is_recording()
