from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

ONE_MILLION = Decimal(1_000_000)


class LanguageModel(models.Model):
    """A model an endpoint serves, with its price, so that every step can be costed."""

    name = models.CharField(max_length=120, unique=True, help_text="The model name sent to the endpoint.")
    input_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    output_price_per_million = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def cost(self, *, prompt_tokens: int, completion_tokens: int) -> Decimal:
        return (
            self.input_price_per_million * prompt_tokens + self.output_price_per_million * completion_tokens
        ) / ONE_MILLION


def default_temperature() -> Decimal:
    return Decimal(str(settings.LLM_DEFAULT_TEMPERATURE))


def default_max_tokens() -> int:
    return int(settings.LLM_MAX_TOKENS)


class AgentVersion(models.Model):
    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    draft_model = models.CharField(
        max_length=120, blank=True, help_text="Empty: the LLM_SMALL_MODEL setting."
    )
    large_model = models.CharField(
        max_length=120,
        blank=True,
        help_text="For critical intents and low confidence. Empty: LLM_LARGE_MODEL.",
    )
    temperature = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=default_temperature,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    max_tokens = models.PositiveIntegerField(
        default=default_max_tokens,
        validators=[MinValueValidator(16), MaxValueValidator(1024)],
        help_text="Bound on a draft's length in tokens.",
    )
    system_prompt = models.TextField(
        blank=True,
        help_text="Instructions for drafting, before the article. Empty: the built-in instructions.",
    )
    tools = models.JSONField(
        default=list,
        blank=True,
        help_text="Names of the tools the drafting model is offered. Empty: all of them.",
    )
    auto_send_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Overrides every intent's auto-send threshold for this version. Empty: the intents' own.",
    )
    context_chars = models.PositiveIntegerField(
        default=2400,
        validators=[MinValueValidator(200), MaxValueValidator(20000)],
        help_text="How much retrieved text (characters) a draft may be given, across articles.",
    )
    is_default = models.BooleanField(default=False, help_text="Used for conversations with no version set.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from agent.tools.support import support_tools

        if not isinstance(self.tools, list) or not all(isinstance(name, str) for name in self.tools):
            raise ValidationError({"tools": 'A list of tool names, e.g. ["search_knowledge_base"].'})
        unknown = [name for name in self.tools if name not in support_tools]
        if unknown:
            known = ", ".join(schema["function"]["name"] for schema in support_tools.schemas())
            raise ValidationError({"tools": f"Unknown tools: {', '.join(unknown)}. Known: {known}."})

    @property
    def model_name(self) -> str:
        return self.draft_model or settings.LLM_SMALL_MODEL

    @property
    def large_model_name(self) -> str:
        return self.large_model or settings.LLM_LARGE_MODEL


class AgentRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    message = models.ForeignKey("agent.Message", on_delete=models.CASCADE, related_name="runs")
    agent_version = models.ForeignKey(AgentVersion, null=True, on_delete=models.SET_NULL, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING, db_index=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    latency_ms = models.FloatField(null=True, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=10, default=Decimal("0"))
    final_state = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.status})"


class AgentStep(models.Model):
    run = models.ForeignKey(AgentRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    node = models.CharField(max_length=40)
    latency_ms = models.FloatField()
    attempts = models.PositiveSmallIntegerField(default=1)
    input_summary = models.JSONField(default=dict)
    output_summary = models.JSONField(default=dict)
    model = models.CharField(max_length=120, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=10, default=Decimal("0"))
    error = models.TextField(blank=True)
    # each tool call the step made: tool, ok, attempts, latency_ms and, for a final failure, error
    tool_calls = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="one_step_per_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.node}"
