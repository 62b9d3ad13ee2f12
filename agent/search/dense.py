"""Dense retrieval over every published article: one vector per section (title + a run of paragraphs), an
article scoring as its best section, so a long article is found by the part that answers the question.

The vectors live in memory, in one matrix, rebuilt when the published articles change (their count, latest
edit or total of versions, checked at most every CHECK_SECONDS, so an edit reaches dense search within that
time; lexical search sees it at once). Brute force: a matrix product over all sections per query.
"""

from __future__ import annotations

import re
import threading
import time

import numpy as np
from django.db.models import Count, Max, Sum

from agent.models import KnowledgeArticle

from .vectors import static_embedder

CHECK_SECONDS = 2.0
SECTION_CHARS = 700  # paragraphs are joined into sections up to about this length
_HEADING = re.compile(r"^#{1,6}\s")


def sections(body: str) -> list[str]:
    """The body cut into sections: a heading starts one; paragraphs are joined up to SECTION_CHARS."""
    result: list[str] = []
    current = ""
    for paragraph in (p.strip() for p in body.split("\n\n")):
        if not paragraph:
            continue
        if current and (_HEADING.match(paragraph) or len(current) + len(paragraph) > SECTION_CHARS):
            result.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    if current:
        result.append(current)
    return result or [body]


def section_vectors(titles: list[str], texts: list[str]) -> np.ndarray:
    """Unit vectors, one per section: the direction between its article title's vector and the section's
    (as article vectors are made), so every section carries what its article is about."""
    embedder = static_embedder()
    vectors = embedder.embed(texts) + embedder.embed(titles)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=vectors, where=norms > 0)


class DenseIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signature: tuple[object, ...] | None = None
        self._checked_at = 0.0
        self._matrix = np.zeros((0, static_embedder().dimensions), dtype=np.float32)
        self._owners = np.zeros(0, dtype=np.int64)  # article pk of each row
        self._rows: dict[int, slice] = {}  # an article's rows (they are contiguous)

    def clear(self) -> None:
        with self._lock:
            self._signature, self._checked_at = None, 0.0

    def spread(self, query_vector: np.ndarray, pks: list[int]) -> np.ndarray:
        """Best-section similarities of `pks`, rescaled to [0, 1] over every indexed section's similarity to
        the query (static-embedding cosines crowd into a narrow band; this separates them)."""
        matrix, _, _ = self._current()
        values = self.similarities(query_vector, pks)
        if not len(matrix):
            return np.zeros(len(pks), dtype=np.float32)
        all_similarities = matrix @ query_vector
        low, high = float(all_similarities.min()), float(all_similarities.max())
        if high - low <= 0:
            return np.ones(len(pks), dtype=np.float32)
        return np.clip((values - low) / (high - low), 0.0, 1.0)

    def similarities(self, query_vector: np.ndarray, pks: list[int]) -> np.ndarray:
        """Each article's best-section similarity to the query, in the order of `pks` (-1 if not indexed)."""
        matrix, _, spans = self._current()
        result = np.full(len(pks), -1.0, dtype=np.float32)
        for i, pk in enumerate(pks):
            rows = spans.get(pk)
            if rows is not None:
                result[i] = float((matrix[rows] @ query_vector).max())
        return result

    def _current(self) -> tuple[np.ndarray, np.ndarray, dict[int, slice]]:
        now = time.monotonic()
        with self._lock:
            if self._signature is not None and now - self._checked_at < CHECK_SECONDS:
                return self._matrix, self._owners, self._rows
            published = KnowledgeArticle.objects.filter(is_published=True)
            signature = tuple(
                published.aggregate(n=Count("id"), last=Max("updated_at"), versions=Sum("version")).values()
            )
            self._checked_at = now
            if signature != self._signature:
                rows = published.values_list("pk", "title", "body").iterator()
                self._matrix, self._owners, self._rows = _build(rows)
                self._signature = signature
            return self._matrix, self._owners, self._rows


def _build(rows: object) -> tuple[np.ndarray, np.ndarray, dict[int, slice]]:
    titles: list[str] = []
    texts: list[str] = []
    owners: list[int] = []
    spans: dict[int, slice] = {}
    for pk, title, body in rows:  # type: ignore[attr-defined]
        parts = sections(body)
        spans[pk] = slice(len(texts), len(texts) + len(parts))
        texts.extend(parts)
        titles.extend([title] * len(parts))
        owners.extend([pk] * len(parts))
    if not texts:
        return np.zeros((0, static_embedder().dimensions), dtype=np.float32), np.zeros(0, dtype=np.int64), {}
    matrix = section_vectors(titles, texts).astype(np.float32)
    return matrix, np.array(owners, dtype=np.int64), spans
