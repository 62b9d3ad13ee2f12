"""Dense retrieval over the passages of every published article: one vector per passage (its article's title
with its heading and text, by the configured encoder, see `encoders`). An article's meaning is that of its
closest passage, which is also the part of it a draft is given and cites.

The vectors live in memory, in one matrix, rebuilt when the published passages change (their count, newest id
or latest article edit; see `refreshed`). A rebuild encodes only passages whose words are new: the others keep
the vector they had, found by a digest of their title, heading and text — in this process's previous index,
or, for an encoder slow enough to persist its work, in the PassageVector table, which every process and
restart shares. Brute force: one matrix product over all passages per query.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max

from agent.models import KnowledgePassage, PassageVector

from .encoders import Encoder, get_encoder
from .refreshed import RefreshedIndex

# Below this many passages the least similar one says nothing: 0 stands for it when rescaling.
SPREAD_MIN_PASSAGES = 20
STORE_CHUNK = 500  # rows per statement when reading and writing stored vectors


@dataclass(frozen=True)
class _Index:
    encoder: str
    matrix: np.ndarray  # one row per passage, grouped by article
    passages: np.ndarray  # passage pk of each row
    rows: dict[int, slice]  # article pk → its rows
    digests: dict[bytes, int]  # digest of a passage's words → its row
    articles: np.ndarray  # article pk of each group of rows, in order
    starts: np.ndarray  # first row of each group


@dataclass(frozen=True)
class ClosestPassage:
    passage_id: int
    meaning: float  # similarity rescaled to [0, 1] over the whole index


@dataclass(frozen=True)
class Meaning:
    """One question's similarity to every passage of the index."""

    index: _Index
    similarities: np.ndarray
    low: float
    span: float

    def nearest_articles(self, limit: int) -> list[int]:
        """The pks of the `limit` articles whose closest passage is closest to the question, closest first."""
        if limit <= 0 or not len(self.index.articles) or self.span <= 0:
            return []  # an empty index, or a question none of whose words the encoder knows
        best = np.maximum.reduceat(self.similarities, self.index.starts)
        top = np.argpartition(-best, limit - 1)[:limit] if len(best) > limit else np.arange(len(best))
        ordered = top[np.argsort(-best[top], kind="stable")]
        return [int(pk) for pk in self.index.articles[ordered]]

    def closest(self, article_pks: list[int]) -> dict[int, ClosestPassage]:
        """For each article (that has passages), its passage closest to the question and how close,
        rescaled to [0, 1] between the least and the most similar passage of the whole index
        (static-embedding cosines crowd into a narrow band; this separates them)."""
        closest = {}
        for pk in article_pks:
            rows = self.index.rows.get(pk)
            if rows is None:
                continue
            best = rows.start + int(np.argmax(self.similarities[rows]))
            meaning = (float(self.similarities[best]) - self.low) / self.span if self.span > 0 else 1.0
            closest[pk] = ClosestPassage(int(self.index.passages[best]), min(max(meaning, 0.0), 1.0))
        return closest


class DenseIndex(RefreshedIndex[_Index]):
    def meaning(self, query_vector: np.ndarray) -> Meaning:
        """The question's similarity to every published passage."""
        index = self.current()
        similarities = index.matrix @ query_vector
        if not len(similarities):
            return Meaning(index, similarities, 0.0, 0.0)
        low = float(similarities.min())
        if len(similarities) < SPREAD_MIN_PASSAGES:
            low = min(low, 0.0)
        return Meaning(index, similarities, low, float(similarities.max()) - low)

    def closest_passages(self, query_vector: np.ndarray, article_pks: list[int]) -> dict[int, ClosestPassage]:
        """`Meaning.closest` of the question."""
        return self.meaning(query_vector).closest(article_pks)

    def fits(self, index: _Index) -> bool:
        return index.encoder == get_encoder().name  # the setting changed: rebuild now

    def signature(self) -> tuple[object, ...]:
        published = KnowledgePassage.objects.filter(article__is_published=True)
        counts = published.aggregate(n=Count("id"), newest=Max("id"), edited=Max("article__updated_at"))
        return (get_encoder().name, *counts.values())

    def build(self, previous: _Index | None) -> _Index:
        encoder = get_encoder()
        published = KnowledgePassage.objects.filter(article__is_published=True)
        fields = ("pk", "article_id", "title", "heading", "text")
        rows = published.order_by("article_id", "position").values_list(*fields).iterator()
        return _build(
            encoder, list(rows), previous if previous and previous.encoder == encoder.name else None
        )


def _build(encoder: Encoder, rows: list[tuple[int, int, str, str, str]], previous: _Index | None) -> _Index:
    """The index of `rows` (pk, article pk, title, heading, text), ordered by article; vectors of passages
    already in `previous` with the same words are copied, not encoded again."""
    matrix = np.zeros((len(rows), encoder.dimensions), dtype=np.float32)
    spans: dict[int, slice] = {}
    digests: dict[bytes, int] = {}
    missing: list[int] = []
    for row, (_, article_id, title, heading, text) in enumerate(rows):
        start = spans[article_id].start if article_id in spans else row
        spans[article_id] = slice(start, row + 1)
        digest = _digest(title, heading, text)
        digests.setdefault(digest, row)
        known = previous.digests.get(digest) if previous else None
        if previous is not None and known is not None:
            matrix[row] = previous.matrix[known]
        else:
            missing.append(row)
    if missing and encoder.persists:
        missing = _read_stored(encoder, rows, missing, matrix)
    if missing:
        titles = [rows[row][2] for row in missing]
        texts = [f"{rows[row][3]}\n{rows[row][4]}" if rows[row][3] else rows[row][4] for row in missing]
        matrix[missing] = encoder.passages(titles, texts)
        if encoder.persists:
            _store(encoder, [_digest(*rows[row][2:]) for row in missing], matrix[missing], set(digests))
    passages = np.array([pk for pk, *_ in rows], dtype=np.int64)
    articles = np.array(list(spans), dtype=np.int64)
    starts = np.array([span.start for span in spans.values()], dtype=np.int64)
    return _Index(encoder.name, matrix, passages, spans, digests, articles, starts)


def _read_stored(
    encoder: Encoder, rows: list[tuple[int, int, str, str, str]], missing: list[int], matrix: np.ndarray
) -> list[int]:
    """Fill `matrix` with the stored vectors of the `missing` rows; the rows still missing."""
    wanted: dict[str, list[int]] = {}
    for row in missing:
        wanted.setdefault(_digest(*rows[row][2:]).hex(), []).append(row)
    found: set[int] = set()
    keys = list(wanted)
    for start in range(0, len(keys), STORE_CHUNK):
        stored = PassageVector.objects.filter(
            encoder=encoder.name, digest__in=keys[start : start + STORE_CHUNK]
        )
        for digest, vector in stored.values_list("digest", "vector").iterator():
            values = np.frombuffer(bytes(vector), dtype=np.float32)
            if len(values) == encoder.dimensions:
                for row in wanted[digest]:
                    matrix[row] = values
                    found.add(row)
    return [row for row in missing if row not in found]


def _store(encoder: Encoder, digests: list[bytes], vectors: np.ndarray, current: set[bytes]) -> None:
    """Keep newly encoded vectors for other processes; forget those of passages no longer published."""
    new = {digest.hex(): vector for digest, vector in zip(digests, vectors, strict=True)}
    PassageVector.objects.bulk_create(
        (
            PassageVector(encoder=encoder.name, digest=d, vector=v.astype(np.float32).tobytes())
            for d, v in new.items()
        ),
        batch_size=STORE_CHUNK,
        ignore_conflicts=True,  # another process stored the same passage meanwhile
    )
    keep = {digest.hex() for digest in current}
    stale = [
        pk
        for pk, digest in PassageVector.objects.filter(encoder=encoder.name)
        .values_list("pk", "digest")
        .iterator()
        if digest not in keep
    ]
    for start in range(0, len(stale), STORE_CHUNK):
        PassageVector.objects.filter(pk__in=stale[start : start + STORE_CHUNK]).delete()


def _digest(title: str, heading: str, text: str) -> bytes:
    return hashlib.blake2b("\x1f".join((title, heading, text)).encode(), digest_size=16).digest()
