"""What customers say about the answers: thumbs on each answer and a 1–5 rating of the conversation (CSAT),
each kept with the agent version that answered, for A/B comparisons."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class AnswerFeedback(models.Model):
    class Value(models.TextChoices):
        UP = "up", "Helpful"
        DOWN = "down", "Not helpful"

    message = models.OneToOneField("agent.Message", on_delete=models.CASCADE, related_name="feedback")
    conversation = models.ForeignKey(
        "agent.Conversation", on_delete=models.CASCADE, related_name="answer_feedback"
    )
    agent_version = models.ForeignKey("agent.AgentVersion", null=True, blank=True, on_delete=models.SET_NULL)
    value = models.CharField(max_length=4, choices=Value.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "answer feedback"

    def __str__(self) -> str:
        return f"{self.get_value_display()} on message {self.message_id}"


class ConversationRating(models.Model):
    conversation = models.OneToOneField("agent.Conversation", on_delete=models.CASCADE, related_name="rating")
    agent_version = models.ForeignKey("agent.AgentVersion", null=True, blank=True, on_delete=models.SET_NULL)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_between_1_and_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for conversation {self.conversation_id}"
