"""The embedded backend: the database's own full-text search, re-ranked by meaning, routed intent first.

Candidates come from PostgreSQL full-text search or SQLite FTS5 (see `fulltext`), which the database keeps
current itself, so an edit is searchable as soon as it is committed. The best of them are re-ranked by
cosine similarity of static embeddings (see `rerank`):

    relevance = (lexical rank / best lexical rank + 2 × cosine similarity rescaled to [0, 1]) / 3
    score     = relevance + INTENT_BOOST for the routed intent's article
"""

from __future__ import annotations

import threading

import numpy as np

from agent.models import KnowledgeArticle

from .base import INTENT_BOOST, RERANK_POOL, KnowledgeSearch, SearchHit
from .fulltext import LexicalMatch, lexical_matches, rebuild_fulltext_index
from .rerank import ArticleVectors

# Meaning counts twice as much as shared words: static embeddings match paraphrases that share few words
# (on 1,000 BANKING77 questions, top-1 without the router: 41% for the old BM25, 53-56% with this weight).
MEANING_WEIGHT = 2.0


class EmbeddedSearch(KnowledgeSearch):
    """Search in the application's own database; needs no service beyond it."""

    _shared: EmbeddedSearch | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self.vectors = ArticleVectors()

    @classmethod
    def shared(cls) -> EmbeddedSearch:
        """The process-wide instance, so article vectors are embedded once per process."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        """The best `k` published articles for `query`; the routed intent's article first, matched or not."""
        if k <= 0:
            return []
        candidates = lexical_matches(query, limit=max(RERANK_POOL, k))
        candidates += _routed_articles_missing_from(candidates, intent)
        if not candidates:
            return []
        lexical = np.array([match.score for match in candidates])
        lexical /= lexical.max() or 1.0
        meaning = _spread(self.vectors.similarities(query, [match.article for match in candidates]))
        relevance = (lexical + MEANING_WEIGHT * meaning) / (1 + MEANING_WEIGHT)
        scored = []
        for match, score in zip(candidates, relevance.tolist(), strict=True):
            if intent and match.article.intent == intent:
                score += INTENT_BOOST
            scored.append((score, match.article))
        # on a tie the routed intent's article still wins
        scored.sort(key=lambda pair: (-pair[0], not intent or pair[1].intent != intent, pair[1].pk))
        return [SearchHit.for_article(article, score) for score, article in scored[:k]]

    def index_article(self, article: KnowledgeArticle) -> None:
        """The database indexes the text itself; here the article's vector is embedded (or dropped) ahead."""
        if article.is_published:
            self.vectors.refresh(article)
        else:
            self.vectors.forget(article.pk)

    def remove_article(self, article_id: int) -> None:
        """The database has already dropped the text; drop the article's vector too."""
        self.vectors.forget(article_id)

    def rebuild_index(self) -> None:
        """Re-fill the full-text index from the published articles and forget every vector."""
        rebuild_fulltext_index()
        self.vectors.clear()


def _spread(similarities: np.ndarray) -> np.ndarray:
    # Cosine similarities of static embeddings crowd into a narrow band; rescaling them over the candidates
    # lets meaning separate them as much as the normalised lexical rank does.
    low, high = float(similarities.min()), float(similarities.max())
    if high - low <= 0:
        return np.ones_like(similarities)
    return (similarities - low) / (high - low)


def _routed_articles_missing_from(candidates: list[LexicalMatch], intent: str) -> list[LexicalMatch]:
    # The router is more accurate than word overlap on short questions, so its article competes even when
    # it shares no word with the question.
    if not intent:
        return []
    found = {match.article.pk for match in candidates}
    routed = KnowledgeArticle.objects.filter(intent=intent, is_published=True).exclude(pk__in=found)
    return [LexicalMatch(article, 0.0) for article in routed.order_by("pk")]
