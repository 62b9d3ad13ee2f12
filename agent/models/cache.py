from django.db import models
from django.utils import timezone


class CachedResponse(models.Model):
    """An answer a customer was sent, kept so the same question (or a close paraphrase) costs no LLM call.

    The database store of `agent.cache`; with REDIS_URL set, answers live in Redis instead.
    """

    exact_key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the intent and the normalised question."
    )
    intent = models.CharField(max_length=64, blank=True, db_index=True)
    question = models.TextField(help_text="The customer's question, its sensitive data masked.")
    text = models.TextField(help_text="The answer that was sent.")
    article_versions = models.JSONField(
        default=dict, help_text="Knowledge article id -> the version the answer used."
    )
    embedding = models.BinaryField(help_text="The normalised question's unit vector, float32.")
    source_draft_id = models.BigIntegerField(null=True, blank=True, help_text="The draft it was sent as.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Cached answer {self.pk} ({self.intent or 'no intent'})"
