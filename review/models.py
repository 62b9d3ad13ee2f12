from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Claim(models.Model):
    """A reviewer holds a draft for a few minutes; nobody else can decide it meanwhile."""

    draft = models.OneToOneField("agent.Draft", on_delete=models.CASCADE, related_name="claim")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims")
    claimed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.reviewer} holds draft {self.draft_id} until {self.expires_at:%H:%M:%S}"

    def is_active(self, now: datetime | None = None) -> bool:
        return bool(self.expires_at > (now or timezone.now()))


class ReviewDecision(models.Model):
    class Action(models.TextChoices):
        APPROVED = "approved", "Approved as drafted"
        EDITED = "edited", "Edited, then approved"
        REJECTED = "rejected", "Rejected"
        ESCALATED = "escalated", "Escalated"

    # One decision per draft: the database refuses a second one, whatever the race.
    draft = models.OneToOneField("agent.Draft", on_delete=models.CASCADE, related_name="review_decision")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=10, choices=Action.choices, db_index=True)
    final_text = models.TextField(
        blank=True, help_text="What the customer received; empty if nothing was sent."
    )
    reason = models.TextField(blank=True)
    seconds_taken = models.FloatField(
        help_text="From the reviewer's claim (or the draft, if unclaimed) to this."
    )
    edit_distance = models.PositiveIntegerField(default=0, help_text="Characters changed from the draft.")
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.reviewer} (draft {self.draft_id})"


class EvaluationCase(models.Model):
    """One reviewed draft, kept as a labelled example for evaluation and for calibrating confidence."""

    class Label(models.TextChoices):
        APPROVED = "approved", "Approved"
        EDITED = "edited", "Edited"
        REJECTED = "rejected", "Rejected"
        ESCALATED = "escalated", "Escalated"

    decision = models.OneToOneField(ReviewDecision, on_delete=models.CASCADE, related_name="evaluation_case")
    question = models.TextField()
    context = models.JSONField(default=list, help_text="The articles the draft was grounded in.")
    draft = models.TextField()
    final_answer = models.TextField(blank=True)
    label = models.CharField(max_length=10, choices=Label.choices, db_index=True)
    intent = models.CharField(max_length=64, blank=True, db_index=True)
    agent_version = models.CharField(max_length=60, blank=True, db_index=True)
    raw_confidence = models.FloatField()
    confidence = models.FloatField(help_text="The calibrated confidence the decision was taken on.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label}: {self.question[:60]}"

    @property
    def approved(self) -> bool:
        return self.label == self.Label.APPROVED


class ThresholdChange(models.Model):
    """Who changed an intent's auto-send policy, when, from what, to what."""

    policy = models.ForeignKey("agent.ThresholdPolicy", on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=40)
    new_value = models.CharField(max_length=40)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.policy.intent}.{self.field}: {self.old_value} → {self.new_value}"
