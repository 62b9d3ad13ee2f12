from django.apps import AppConfig
from django.conf import settings


class AgentConfig(AppConfig):
    name = "agent"
    verbose_name = "Agent"

    def ready(self) -> None:
        """Keep search, cached answers and cached configuration in step with edits; start span export if
        configured."""
        from agent.cache import signals as cache_signals  # noqa: F401
        from agent.config import clear_on_changes
        from agent.knowledge import history, passages  # noqa: F401
        from agent.search import signals  # noqa: F401

        clear_on_changes()

        if settings.OTEL_EXPORTER_OTLP_ENDPOINT:
            from agent.telemetry import configure_exporter

            configure_exporter(settings.OTEL_EXPORTER_OTLP_ENDPOINT)
