"""The embedded backend: BM25 over published articles, in process, with a boost for the routed intent.

The index is built from the database on first use and rebuilt whenever an article changes (the fingerprint
is the count and latest edit time of published articles), so edits in admin are searchable at once.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Max

from agent.models import KnowledgeArticle
from agent.text import content_terms

from .base import KnowledgeSearch, SearchHit

K1 = 1.2
B = 0.75
# Added to the normalised lexical score of the article written for the routed intent: the router is far more
# accurate on short questions than word overlap is.
INTENT_BOOST = 1.0


@dataclass
class _Index:
    fingerprint: tuple[int, object]
    articles: list[KnowledgeArticle]
    term_freqs: list[Counter[str]]
    lengths: list[int]
    idf: dict[str, float]
    average_length: float


class EmbeddedSearch(KnowledgeSearch):
    _shared: EmbeddedSearch | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._index: _Index | None = None
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> EmbeddedSearch:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        index = self._current_index()
        if not index.articles:
            return []
        lexical = [self._bm25(index, content_terms(query), i) for i in range(len(index.articles))]
        best = max(lexical) or 1.0
        scored = []
        for i, article in enumerate(index.articles):
            score = lexical[i] / best
            if intent and article.intent == intent:
                score += INTENT_BOOST
            if score > 0:
                scored.append((score, i))
        scored.sort(key=lambda pair: (-pair[0], index.articles[pair[1]].pk))
        return [_hit(index.articles[i], score) for score, i in scored[:k]]

    def _current_index(self) -> _Index:
        published = KnowledgeArticle.objects.filter(is_published=True)
        stats = published.aggregate(count=Count("id"), latest=Max("updated_at"))
        fingerprint = (stats["count"], stats["latest"])
        with self._lock:
            if self._index is None or self._index.fingerprint != fingerprint:
                self._index = _build_index(list(published.order_by("pk")), fingerprint)
            return self._index

    @staticmethod
    def _bm25(index: _Index, terms: list[str], i: int) -> float:
        freqs = index.term_freqs[i]
        norm = K1 * (1 - B + B * index.lengths[i] / index.average_length)
        score = 0.0
        for term in set(terms):
            tf = freqs.get(term, 0)
            if tf:
                score += index.idf[term] * tf * (K1 + 1) / (tf + norm)
        return score


def _build_index(articles: list[KnowledgeArticle], fingerprint: tuple[int, object]) -> _Index:
    term_freqs = [Counter(content_terms(f"{a.title} {a.title} {a.body}")) for a in articles]
    lengths = [sum(freqs.values()) for freqs in term_freqs]
    document_freq: Counter[str] = Counter()
    for freqs in term_freqs:
        document_freq.update(freqs.keys())
    n = len(articles)
    idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in document_freq.items()}
    average_length = (sum(lengths) / n) if n else 1.0
    return _Index(fingerprint, articles, term_freqs, lengths, idf, average_length or 1.0)


def _hit(article: KnowledgeArticle, score: float) -> SearchHit:
    return SearchHit(
        article_id=article.pk,
        slug=article.slug,
        title=article.title,
        intent=article.intent,
        text=article.body,
        score=round(score, 4),
        version=article.version,
    )
