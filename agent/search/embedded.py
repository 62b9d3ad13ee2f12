"""The embedded backend: BM25 re-ranked by meaning, routed intent first, over the application's own database.

Candidates are the articles best matched by BM25 (see `lexical`), the articles nearest in meaning when the
encoder is good enough to propose them (see `encoders`), and the routed intent's article. They are re-ranked
by meaning: each article's passage closest to the question, by cosine similarity of the configured
encoder's vectors (see `dense`), rescaled over all passages; that passage is what the hit carries:

    relevance = (lexical rank / best lexical rank + w × closest-passage similarity in [0, 1]) / (1 + w)
    score     = relevance + INTENT_BOOST for the routed intent's article
"""

from __future__ import annotations

import threading

import numpy as np

from agent.knowledge.passages import rewrite_all_passages
from agent.models import KnowledgeArticle, KnowledgePassage

from .base import INTENT_BOOST, RERANK_POOL, KnowledgeSearch, SearchHit
from .dense import DenseIndex
from .encoders import get_encoder
from .lexical import LexicalIndex, LexicalMatch

# Meaning counts twice as much as shared words: static embeddings match paraphrases that share few words
# (on 1,000 BANKING77 questions against the demo bank, top-1 without the router: 41% for BM25 alone, 56% with
# this weight; on the bank knowledge-base queries of benchmarks/retrieval.py a weight of 1 finds 0.5 points
# more at recall@10, and costs the demo 4 points of top-1). With MiniLM, 2 is also the best of 1-6 there.
MEANING_WEIGHT = 2.0


class EmbeddedSearch(KnowledgeSearch):
    """Search in the application's own database; needs no service beyond it."""

    _shared: EmbeddedSearch | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self.words = LexicalIndex()
        self.vectors = DenseIndex()

    @classmethod
    def shared(cls) -> EmbeddedSearch:
        """The process-wide instance, so article vectors are embedded once per process."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        """The best `k` published articles for `query`, each as its passage closest to the query; the routed
        intent's article first, matched or not."""
        if k <= 0:
            return []
        pool = max(RERANK_POOL, k)
        encoder = get_encoder()
        meaning_of_query = self.vectors.meaning(encoder.query(query))
        nearest = meaning_of_query.nearest_articles(pool) if encoder.proposes else []
        candidates = self.words.matches(query, limit=pool, include=nearest)
        candidates += _routed_articles_missing_from(candidates, intent)
        if not candidates:
            return []
        lexical = np.array([match.score for match in candidates])
        lexical /= lexical.max() or 1.0
        closest = meaning_of_query.closest([match.article.pk for match in candidates])
        meaning = np.array(
            [closest[m.article.pk].meaning if m.article.pk in closest else 0.0 for m in candidates]
        )
        relevance = (lexical + MEANING_WEIGHT * meaning) / (1 + MEANING_WEIGHT)
        scored = []
        for match, score in zip(candidates, relevance.tolist(), strict=True):
            if intent and match.article.intent == intent:
                score += INTENT_BOOST
            scored.append((score, match.article))
        # on a tie the routed intent's article still wins
        scored.sort(key=lambda pair: (-pair[0], not intent or pair[1].intent != intent, pair[1].pk))
        chosen = scored[:k]
        passages = KnowledgePassage.objects.in_bulk(
            [closest[article.pk].passage_id for _, article in chosen if article.pk in closest]
        )
        hits = []
        for score, article in chosen:
            passage = passages.get(closest[article.pk].passage_id) if article.pk in closest else None
            if passage is not None and passage.article_id == article.pk:
                passage.article = article
                hits.append(SearchHit.for_passage(passage, score))
            else:  # passages not written yet (a bulk insert) or vectors behind an edit: the whole article
                hits.append(SearchHit.for_article(article, score))
        return hits

    def index_article(self, article: KnowledgeArticle) -> None:
        """Both indexes catch up at the next search (only changed passages are encoded again)."""
        self.words.clear()
        self.vectors.clear()

    def remove_article(self, article_id: int) -> None:
        """Both indexes drop the article at the next search."""
        self.words.clear()
        self.vectors.clear()

    def rebuild_index(self) -> None:
        """Rewrite every article's passages (bulk updates send no signal); both indexes are rebuilt at the
        next search."""
        rewrite_all_passages()
        self.words.clear()
        self.vectors.clear()


def _routed_articles_missing_from(candidates: list[LexicalMatch], intent: str) -> list[LexicalMatch]:
    # The router is more accurate than word overlap on short questions, so its article competes even when
    # it shares no word with the question.
    if not intent:
        return []
    found = {match.article.pk for match in candidates}
    routed = KnowledgeArticle.objects.filter(intent=intent, is_published=True).exclude(pk__in=found)
    return [LexicalMatch(article, 0.0) for article in routed.order_by("pk")]
