"""The response cache: answers already sent, found again by the same question or a close paraphrase.

A lookup tries the exact key first (intent + normalised question), then the entries of the same intent whose
question vectors lie within `RESPONSE_CACHE_SIMILARITY` (cosine) of the question's. Either way the entry
must still match the current version of every knowledge article it used; one that does not is removed.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from agent.context import is_evaluating
from agent.models import KnowledgeArticle
from agent.search.vectors import query_vector

from .keys import exact_key, meaning_markers, normalise_question

DEFAULT_SIMILARITY = 0.92
DEFAULT_TTL_SECONDS = 7 * 24 * 60 * 60
# How many of the nearest entries above the bound a semantic lookup checks before it gives up.
SEMANTIC_CANDIDATES = 5


@dataclass(frozen=True)
class CachedAnswer:
    """An answer found in the cache, and how it was found."""

    text: str
    intent: str
    article_versions: dict[int, int]  # article id -> version used
    kind: str  # "exact" | "semantic"
    similarity: float  # 1.0 for exact
    source_draft_id: int | None
    articles: tuple[KnowledgeArticle, ...] = ()  # the articles it used, as they are now (same versions)


@dataclass(frozen=True)
class StoredAnswer:
    """One cache entry as a store keeps it."""

    key: str
    question: str
    intent: str
    text: str
    article_versions: dict[int, int]
    source_draft_id: int | None

    def found_as(self, kind: str, similarity: float, articles: tuple[KnowledgeArticle, ...]) -> CachedAnswer:
        """The answer as a lookup returns it."""
        return CachedAnswer(
            text=self.text,
            intent=self.intent,
            article_versions=dict(self.article_versions),
            kind=kind,
            similarity=similarity,
            source_draft_id=self.source_draft_id,
            articles=articles,
        )


def similarity_bound() -> float:
    """The least cosine similarity of a semantic hit (setting `RESPONSE_CACHE_SIMILARITY`)."""
    return float(getattr(settings, "RESPONSE_CACHE_SIMILARITY", DEFAULT_SIMILARITY))


def ttl_seconds() -> float:
    """How long an entry lives (setting `RESPONSE_CACHE_TTL_SECONDS`)."""
    return float(getattr(settings, "RESPONSE_CACHE_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def current_articles(article_versions: dict[int, int]) -> tuple[KnowledgeArticle, ...] | None:
    """The articles the answer used, in the order given, if every one is still published at the version it
    used; None if any changed."""
    if not article_versions:
        return ()
    current = {a.pk: a for a in KnowledgeArticle.objects.filter(pk__in=article_versions, is_published=True)}
    if {pk: a.version for pk, a in current.items()} != article_versions:
        return None
    return tuple(current[pk] for pk in article_versions)


class ResponseCache(abc.ABC):
    """Answers already sent, keyed by intent and question; every store shares `lookup` and `store` here."""

    # True when entries live in the application's database, so an answer is stored in the transaction that
    # sends it; other stores are written once that transaction has committed.
    stores_in_transaction = False

    def purge_expired(self) -> int:
        """Delete expired entries a store does not expire by itself; returns how many."""
        return 0

    def lookup(self, *, question: str, intent: str) -> CachedAnswer | None:
        """The answer cached for `question` and `intent`: an exact hit, else the nearest paraphrase."""
        if is_evaluating():
            return None
        normalised = normalise_question(question)
        key = exact_key(normalised=normalised, intent=intent)
        entry = self._entry(key)
        if entry is not None:
            articles = current_articles(entry.article_versions)
            if articles is not None:
                return entry.found_as("exact", 1.0, articles)
            self._remove([key])
        vector = query_vector(normalised)
        if not vector.any():
            return None  # not one known word: nothing is near it
        keys, vectors = self._intent_vectors(intent)
        if not keys:
            return None
        similarities = vectors @ vector
        bound, markers = similarity_bound(), meaning_markers(normalised)
        for index in np.argsort(-similarities)[:SEMANTIC_CANDIDATES]:
            similarity = min(float(similarities[index]), 1.0)
            if similarity < bound:
                break
            candidate = self._entry(keys[index])
            if candidate is None or meaning_markers(normalise_question(candidate.question)) != markers:
                continue
            articles = current_articles(candidate.article_versions)
            if articles is not None:
                return candidate.found_as("semantic", similarity, articles)
            self._remove([candidate.key])
        return None

    def store(
        self,
        *,
        question: str,
        intent: str,
        text: str,
        article_versions: dict[int, int],
        source_draft_id: int | None = None,
    ) -> None:
        """Keep an answer that was sent, replacing any entry for the same intent and normalised question."""
        if is_evaluating():
            return
        normalised = normalise_question(question)
        entry = StoredAnswer(
            key=exact_key(normalised=normalised, intent=intent),
            question=question,
            intent=intent,
            text=text,
            article_versions={int(k): int(v) for k, v in article_versions.items()},
            source_draft_id=source_draft_id,
        )
        self._save(entry, query_vector(normalised).astype(np.float32), ttl_seconds())

    def forget_answers(self, answers: list[tuple[str, str, int]]) -> int:
        """Remove the entries stored from these sent answers, given as (masked question, intent, draft id);
        an entry for the same question stored from another customer's answer stays. Returns how many."""
        removed = 0
        for question, intent, draft_id in answers:
            key = exact_key(normalised=normalise_question(question), intent=intent)
            entry = self._entry(key)
            if entry is not None and entry.source_draft_id == draft_id:
                removed += self._remove([key])
        return removed

    @abc.abstractmethod
    def invalidate_article(self, article_id: int) -> int:
        """Remove every entry that used the article; returns how many were removed."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every entry."""

    @abc.abstractmethod
    def _entry(self, key: str) -> StoredAnswer | None:
        """The unexpired entry with this exact key, if any."""

    @abc.abstractmethod
    def _intent_vectors(self, intent: str) -> tuple[list[str], np.ndarray]:
        """The keys of the intent's unexpired entries and their question vectors, one row each."""

    @abc.abstractmethod
    def _save(self, entry: StoredAnswer, vector: np.ndarray, ttl_seconds: float) -> None:
        """Write the entry and its question vector, to expire after `ttl_seconds`."""

    @abc.abstractmethod
    def _remove(self, keys: list[str]) -> int:
        """Remove the entries with these keys; returns how many there were."""


def get_response_cache() -> ResponseCache:
    """The configured store: Redis when REDIS_URL is set, else the database."""
    if settings.REDIS_URL:
        from .redis_store import RedisResponseCache

        return RedisResponseCache.from_settings()
    from .database_store import DatabaseResponseCache

    return DatabaseResponseCache()
