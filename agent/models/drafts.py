from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def default_auto_send_threshold() -> float:
    return settings.DEFAULT_AUTO_SEND_THRESHOLD


class Decision(models.TextChoices):
    AUTO_SEND = "auto_send", "Auto-send"
    REVIEW = "review", "Pending review"
    ESCALATE = "escalate", "Escalate to a human"


class Draft(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        PENDING_REVIEW = "pending_review", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        ESCALATED = "escalated", "Escalated"

    run = models.OneToOneField("agent.AgentRun", on_delete=models.CASCADE, related_name="draft")
    conversation = models.ForeignKey("agent.Conversation", on_delete=models.CASCADE, related_name="drafts")
    message = models.ForeignKey("agent.Message", on_delete=models.CASCADE, related_name="drafts")
    intent = models.CharField(max_length=64, blank=True, db_index=True)
    text = models.TextField(blank=True)
    cited_articles = models.ManyToManyField(
        "agent.KnowledgeArticle", blank=True, related_name="citing_drafts"
    )
    confidence = models.FloatField(
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Calibrated on reviewed history: the estimated probability a reviewer approves it as is.",
    )
    raw_confidence = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Before calibration.",
    )
    signals = models.JSONField(
        default=dict, help_text="The measured signals the confidence was computed from."
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, db_index=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Why this decision was taken.")
    status = models.CharField(max_length=15, choices=Status.choices, db_index=True)
    ticket = models.ForeignKey(
        "agent.Ticket", null=True, blank=True, on_delete=models.SET_NULL, help_text="Built-in tickets only."
    )
    ticket_reference = models.CharField(
        max_length=64, blank=True, help_text="The hand-over ticket, in whichever ticketing system opened it."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        # One answer per customer message: a redelivered task finds the draft instead of writing a second.
        constraints = [models.UniqueConstraint(fields=["message"], name="one_draft_per_message")]

    def __str__(self) -> str:
        return f"Draft {self.pk} ({self.intent or 'no intent'}, {self.decision})"


class ThresholdPolicy(models.Model):
    """How one intent is handled: the confidence needed to auto-send, or always a human."""

    intent = models.CharField(max_length=64, unique=True)
    auto_send_threshold = models.FloatField(
        default=default_auto_send_threshold, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    always_escalate = models.BooleanField(
        default=False, help_text="Risky intents go to a human with a ticket."
    )
    cascade_threshold = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Below this confidence the small model's draft is redone by the large model (0: never).",
    )
    is_critical = models.BooleanField(default=False, help_text="Always drafted by the large model.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["intent"]
        verbose_name_plural = "threshold policies"

    def __str__(self) -> str:
        return self.intent
