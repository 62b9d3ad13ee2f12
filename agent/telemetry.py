"""OpenTelemetry spans for runs, steps, LLM calls and tool calls. Without a configured SDK the API's tracer
does nothing, so the in-app trace (AgentRun/AgentStep) stands alone; with OTEL_EXPORTER_OTLP_ENDPOINT set
(and the `otel` extra installed), spans are exported over OTLP/HTTP."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("supportagent")
# Spans are only made once an exporter is configured: even a no-op span doubles the graph runner's cost.
enabled = False


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A span named `name` with JSON-simple attributes (None values are left out)."""
    if not enabled:
        yield trace.INVALID_SPAN
        return
    clean = {key: value for key, value in attributes.items() if value is not None}
    with tracer.start_as_current_span(name, attributes=clean) as current:
        yield current


def configure_exporter(endpoint: str, service_name: str = "supportagent") -> bool:
    """Install the SDK's tracer provider with an OTLP/HTTP exporter; False if the packages are missing."""
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logger.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the `otel` extra is not installed; no spans sent"
        )
        return False
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces"))
    )
    trace.set_tracer_provider(provider)
    global enabled
    enabled = True
    return True
