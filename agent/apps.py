from django.apps import AppConfig


class AgentConfig(AppConfig):
    name = "agent"
    verbose_name = "Agent"

    def ready(self) -> None:
        """Connect the receivers that keep knowledge search in step with article edits."""
        from agent.search import signals  # noqa: F401
