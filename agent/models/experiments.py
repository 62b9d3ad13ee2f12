"""A/B tests of agent versions on live traffic: an experiment splits new conversations between versions by
weight, sticky per conversation, and a ramp lets the agent serve only a share of them at all (the rest go
straight to people) — scaling up slowly."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Experiment(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=False, help_text="New conversations are split by the one active experiment."
    )
    agent_share = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Ramp: the share of new conversations the agent handles at all; the rest go to people.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_experiment"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_active and Experiment.objects.filter(is_active=True).exclude(pk=self.pk).exists():
            raise ValidationError("Another experiment is active; end it first.")


class ExperimentArm(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    agent_version = models.ForeignKey("agent.AgentVersion", on_delete=models.PROTECT, related_name="arms")
    weight = models.PositiveIntegerField(
        default=50, validators=[MaxValueValidator(100)], help_text="Relative share of the agent's traffic."
    )
    is_control = models.BooleanField(default=False, help_text="The arm the others are compared with.")

    class Meta:
        ordering = ["experiment", "-is_control", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "agent_version"], name="one_arm_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.experiment}: {self.agent_version} ({self.weight})"
