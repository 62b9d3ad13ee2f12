from django.apps import AppConfig
from django.conf import settings


class AgentConfig(AppConfig):
    name = "agent"
    verbose_name = "Agent"

    def ready(self) -> None:
        """Keep search and cached answers in step with article edits; start span export if configured."""
        from agent.cache import signals as cache_signals  # noqa: F401
        from agent.search import signals  # noqa: F401

        if settings.OTEL_EXPORTER_OTLP_ENDPOINT:
            from agent.telemetry import configure_exporter

            configure_exporter(settings.OTEL_EXPORTER_OTLP_ENDPOINT)
