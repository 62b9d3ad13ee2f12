"""The embedded backend: the database's own full-text search, re-ranked by meaning, routed intent first.

Candidates are the best lexical matches of PostgreSQL full-text search or SQLite FTS5 (see `fulltext`), which
the database keeps current itself, and the routed intent's article. They are re-ranked by meaning: each
article's best section, by cosine similarity of static embeddings (see `dense`), rescaled over all sections:

    relevance = (lexical rank / best lexical rank + w × best-section similarity in [0, 1]) / (1 + w)
    score     = relevance + INTENT_BOOST for the routed intent's article
"""

from __future__ import annotations

import threading

import numpy as np

from agent.models import KnowledgeArticle

from .base import INTENT_BOOST, RERANK_POOL, KnowledgeSearch, SearchHit
from .dense import DenseIndex
from .fulltext import LexicalMatch, lexical_matches, rebuild_fulltext_index
from .vectors import query_vector

# Meaning counts twice as much as shared words: static embeddings match paraphrases that share few words
# (on 1,000 BANKING77 questions against the demo bank, top-1 without the router: 41% for BM25 alone, 56% with
# this weight; on the bank knowledge-base queries of benchmarks/retrieval.py a weight of 1 finds 1.6 points
# more at recall@10, and costs the demo 4 points of top-1).
MEANING_WEIGHT = 2.0


class EmbeddedSearch(KnowledgeSearch):
    """Search in the application's own database; needs no service beyond it."""

    _shared: EmbeddedSearch | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self.vectors = DenseIndex()

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
        pool = max(RERANK_POOL, k)
        candidates = lexical_matches(query, limit=pool)
        candidates += _routed_articles_missing_from(candidates, intent)
        vector = query_vector(query)
        if not candidates:
            return []
        lexical = np.array([match.score for match in candidates])
        lexical /= lexical.max() or 1.0
        pks = [match.article.pk for match in candidates]
        meaning = self.vectors.spread(vector, pks)
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
        """The database indexes the text itself; the section vectors are rebuilt at the next search."""
        self.vectors.clear()

    def remove_article(self, article_id: int) -> None:
        """The database has already dropped the text; the section vectors follow at the next search."""
        self.vectors.clear()

    def rebuild_index(self) -> None:
        """Re-fill the full-text index from the published articles and forget every vector."""
        rebuild_fulltext_index()
        self.vectors.clear()


def _routed_articles_missing_from(candidates: list[LexicalMatch], intent: str) -> list[LexicalMatch]:
    # The router is more accurate than word overlap on short questions, so its article competes even when
    # it shares no word with the question.
    if not intent:
        return []
    found = {match.article.pk for match in candidates}
    routed = KnowledgeArticle.objects.filter(intent=intent, is_published=True).exclude(pk__in=found)
    return [LexicalMatch(article, 0.0) for article in routed.order_by("pk")]
