"""The response cache in the application's database, for installations without Redis."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from agent.models import CachedResponse

from .base import ResponseCache, StoredAnswer


class DatabaseResponseCache(ResponseCache):
    """Entries are `CachedResponse` rows; a semantic lookup reads the vectors of one intent's rows. An answer
    is stored in the transaction that sends it; expired rows are deleted by a periodic task."""

    stores_in_transaction = True

    def purge_expired(self) -> int:
        """Delete the expired rows (lookups already ignore them); returns how many."""
        deleted, _ = CachedResponse.objects.filter(expires_at__lte=timezone.now()).delete()
        return deleted

    def invalidate_article(self, article_id: int) -> int:
        """Remove every entry that used the article; returns how many were removed."""
        deleted, _ = CachedResponse.objects.filter(article_versions__has_key=str(article_id)).delete()
        return deleted

    def clear(self) -> None:
        """Remove every entry."""
        CachedResponse.objects.all().delete()

    def _entry(self, key: str) -> StoredAnswer | None:
        fields = ("question", "intent", "text", "article_versions", "source_draft_id")
        rows = CachedResponse.objects.filter(exact_key=key, expires_at__gt=timezone.now()).order_by()
        found = list(rows.values_list(*fields)[:1])  # no model instance, no vector: the hot path of a hit
        if not found:
            return None
        question, intent, text, versions, source_draft_id = found[0]
        return StoredAnswer(
            key=key,
            question=question,
            intent=intent,
            text=text,
            article_versions={int(k): v for k, v in versions.items()},
            source_draft_id=source_draft_id,
        )

    def _intent_vectors(self, intent: str) -> tuple[list[str], np.ndarray]:
        rows = CachedResponse.objects.filter(intent=intent, expires_at__gt=timezone.now())
        pairs = list(rows.values_list("exact_key", "embedding"))
        if not pairs:
            return [], np.zeros((0, 0), dtype=np.float32)
        keys = [key for key, _ in pairs]
        return keys, np.stack([np.frombuffer(embedding, dtype=np.float32) for _, embedding in pairs])

    def _save(self, entry: StoredAnswer, vector: np.ndarray, ttl_seconds: float) -> None:
        now = timezone.now()
        CachedResponse.objects.update_or_create(
            exact_key=entry.key,
            defaults={
                "intent": entry.intent,
                "question": entry.question,
                "text": entry.text,
                "article_versions": {str(k): v for k, v in entry.article_versions.items()},
                "embedding": vector.astype(np.float32).tobytes(),
                "source_draft_id": entry.source_draft_id,
                "created_at": now,
                "expires_at": now + timedelta(seconds=ttl_seconds),
            },
        )

    def _remove(self, keys: list[str]) -> int:
        deleted, _ = CachedResponse.objects.filter(exact_key__in=keys).delete()
        return deleted
