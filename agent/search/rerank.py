"""Semantic re-ranking: how close in meaning a question is to each candidate article, by cosine similarity."""

from __future__ import annotations

import threading

import numpy as np

from agent.models import KnowledgeArticle

from .vectors import article_text, article_vectors, query_vector


class ArticleVectors:
    """Article vectors kept in memory, each re-embedded only when its article's title or body changes.

    Each entry remembers the text it was embedded from, so an edit made by another process (or by a bulk
    update that sent no signal) is noticed at the next search without asking the database for more.
    """

    def __init__(self) -> None:
        self._vectors: dict[int, tuple[str, np.ndarray]] = {}
        self._lock = threading.Lock()

    def similarities(self, query: str, articles: list[KnowledgeArticle]) -> np.ndarray:
        """Cosine similarity of `query` to each article, in order, in [-1, 1]."""
        if not articles:
            return np.zeros(0, dtype=np.float32)
        vectors = {article.pk: vector for article, vector in self._cached(articles)}
        stale = [article for article in articles if article.pk not in vectors]
        if stale:
            vectors.update(zip([article.pk for article in stale], self._store(stale), strict=True))
        matrix = np.stack([vectors[article.pk] for article in articles])
        return matrix @ query_vector(query)

    def refresh(self, article: KnowledgeArticle) -> None:
        """Embed the article's current text now, so the next search need not."""
        self._store([article])

    def forget(self, article_id: int) -> None:
        """Drop the vector of a deleted or unpublished article."""
        with self._lock:
            self._vectors.pop(article_id, None)

    def clear(self) -> None:
        """Drop every vector; they are embedded again as searches need them."""
        with self._lock:
            self._vectors.clear()

    def _cached(self, articles: list[KnowledgeArticle]) -> list[tuple[KnowledgeArticle, np.ndarray]]:
        with self._lock:
            entries = [(article, self._vectors.get(article.pk)) for article in articles]
        return [
            (article, entry[1])
            for article, entry in entries
            if entry is not None and entry[0] == article_text(article.title, article.body)
        ]

    def _store(self, articles: list[KnowledgeArticle]) -> np.ndarray:
        vectors = article_vectors(articles)
        with self._lock:
            for article, vector in zip(articles, vectors, strict=True):
                self._vectors[article.pk] = (article_text(article.title, article.body), vector)
        return vectors
