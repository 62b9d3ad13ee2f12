"""Dense retrieval over the passages of every published article: one vector per passage (its article's title
with its heading and text, by the configured encoder, see `encoders`). An article's meaning is that of its
closest passage, which is also the part of it a draft is given and cites.

The vectors live in memory, in one matrix, rebuilt when the published passages change (their count, newest
id or latest article edit, checked at most every CHECK_SECONDS, so an edit reaches dense search within that
time; lexical search sees it at once). Brute force: one matrix product over all passages per query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max

from agent.models import KnowledgePassage

from .encoders import Encoder, get_encoder

CHECK_SECONDS = 2.0
# Below this many passages the least similar one says nothing: 0 stands for it when rescaling.
SPREAD_MIN_PASSAGES = 20


@dataclass(frozen=True)
class _Index:
    encoder: str
    matrix: np.ndarray  # one row per passage, grouped by article
    passages: np.ndarray  # passage pk of each row
    rows: dict[int, slice]  # article pk → its rows


@dataclass(frozen=True)
class ClosestPassage:
    passage_id: int
    meaning: float  # similarity rescaled to [0, 1] over the whole index


class DenseIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signature: tuple[object, ...] | None = None
        self._checked_at = 0.0
        self._index: _Index | None = None

    def clear(self) -> None:
        with self._lock:
            self._signature, self._checked_at = None, 0.0

    def closest_passages(self, query_vector: np.ndarray, article_pks: list[int]) -> dict[int, ClosestPassage]:
        """For each article (that has passages), its passage closest to the query and how close, rescaled to
        [0, 1] between the least and the most similar passage of the whole index (static-embedding cosines
        crowd into a narrow band; this separates them)."""
        index = self._current()
        if not len(index.passages):
            return {}
        similarities = index.matrix @ query_vector
        low = float(similarities.min())
        if len(similarities) < SPREAD_MIN_PASSAGES:
            low = min(low, 0.0)
        span = float(similarities.max()) - low
        closest = {}
        for pk in article_pks:
            rows = index.rows.get(pk)
            if rows is None:
                continue
            best = rows.start + int(np.argmax(similarities[rows]))
            meaning = (float(similarities[best]) - low) / span if span > 0 else 1.0
            closest[pk] = ClosestPassage(int(index.passages[best]), min(max(meaning, 0.0), 1.0))
        return closest

    def _current(self) -> _Index:
        now = time.monotonic()
        with self._lock:
            encoder = get_encoder()
            fresh = self._signature is not None and now - self._checked_at < CHECK_SECONDS
            if fresh and self._index is not None and self._index.encoder == encoder.name:
                return self._index
            published = KnowledgePassage.objects.filter(article__is_published=True)
            counts = published.aggregate(n=Count("id"), newest=Max("id"), edited=Max("article__updated_at"))
            signature = (encoder.name, *counts.values())
            self._checked_at = now
            if signature != self._signature or self._index is None:
                fields = ("pk", "article_id", "title", "heading", "text")
                rows = published.order_by("article_id", "position").values_list(*fields).iterator()
                self._index = _build(encoder, list(rows))
                self._signature = signature
            assert self._index is not None
            return self._index


def _build(encoder: Encoder, rows: list[tuple[int, int, str, str, str]]) -> _Index:
    if not rows:
        empty = np.zeros((0, encoder.dimensions), dtype=np.float32)
        return _Index(encoder.name, empty, np.zeros(0, dtype=np.int64), {})
    titles = [title for _, _, title, _, _ in rows]
    texts = [f"{heading}\n{text}" if heading else text for _, _, _, heading, text in rows]
    spans: dict[int, slice] = {}
    for row, (_, article_id, _, _, _) in enumerate(rows):
        start = spans[article_id].start if article_id in spans else row
        spans[article_id] = slice(start, row + 1)
    matrix = encoder.passages(titles, texts)
    return _Index(encoder.name, matrix, np.array([pk for pk, *_ in rows], dtype=np.int64), spans)
