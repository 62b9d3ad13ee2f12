"""The Elasticsearch backend: BM25 on title and body, combined with kNN on the same static embeddings.

Only published articles are in the index (one document per article, id = the article's pk). A search asks for
the articles that share words with the question or are the routed intent's; kNN scores those same candidates
by meaning and Elasticsearch adds the two scores. As in the embedded backend, the final score is that score
over the best one, plus INTENT_BOOST for the routed intent's article.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from elasticsearch import ApiError, BadRequestError, Elasticsearch, TransportError
from elasticsearch.helpers import bulk

from agent.models import KnowledgeArticle

from .base import INTENT_BOOST, RERANK_POOL, KnowledgeSearch, SearchHit, SearchUnavailable
from .vectors import article_vectors, query_vector, static_embedder

logger = logging.getLogger(__name__)

DEFAULT_INDEX = "supportagent-knowledge"
# kNN visits this many nearest vectors per shard before keeping the best; the knowledge base is small.
KNN_NUM_CANDIDATES = 100


class ElasticsearchSearch(KnowledgeSearch):
    """Search in an Elasticsearch index that article edits keep current through `index_article`."""

    _by_settings: dict[tuple[str, str], ElasticsearchSearch] = {}
    _by_settings_lock = threading.Lock()

    def __init__(self, *, client: Elasticsearch, index: str) -> None:
        self.client = client
        self.index = index
        self._index_exists = False
        # cleared when the cluster rejects a kNN search that succeeds without kNN (e.g. an old version)
        self._knn_supported = True

    @classmethod
    def from_settings(cls) -> ElasticsearchSearch:
        """The process-wide instance for settings.ELASTICSEARCH_URL and ELASTICSEARCH_INDEX."""
        url = settings.ELASTICSEARCH_URL
        if not url:
            raise ImproperlyConfigured("SEARCH_BACKEND is 'elasticsearch' but ELASTICSEARCH_URL is not set.")
        index = getattr(settings, "ELASTICSEARCH_INDEX", DEFAULT_INDEX)
        with cls._by_settings_lock:
            if (url, index) not in cls._by_settings:
                # Retries belong to the tool runner (3 attempts in all, backoff, Retry-After), not the client.
                timeout = settings.EXTERNAL_TIMEOUT_SECONDS
                client = Elasticsearch(url, max_retries=0, retry_on_timeout=False, request_timeout=timeout)
                cls._by_settings[url, index] = cls(client=client, index=index)
            return cls._by_settings[url, index]

    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        """The best `k` published articles for `query`; the routed intent's article first, matched or not."""
        if k <= 0:
            return []
        try:
            self._ensure_index()
            vector = query_vector(query).tolist()
            response = self._search(_candidates(query, intent), vector, max(RERANK_POOL, k))
        except (ApiError, TransportError) as error:
            raise _as_search_error(error) from error
        found = response["hits"]["hits"]
        if not found:
            return []
        best = max(hit["_score"] for hit in found) or 1.0
        scored = []
        for hit in found:
            score = hit["_score"] / best
            if intent and hit["_source"]["intent"] == intent:
                score += INTENT_BOOST
            scored.append((score, hit))
        scored.sort(key=lambda pair: (-pair[0], int(pair[1]["_id"])))
        return [_hit(hit, score) for score, hit in scored[:k]]

    def index_article(self, article: KnowledgeArticle) -> None:
        """Write the article's document (or delete it if unpublished); searchable when this returns."""
        if not article.is_published:
            self.remove_article(article.pk)
            return
        self._ensure_index()
        document = _document(article, article_vectors([article])[0])
        self.client.index(index=self.index, id=str(article.pk), document=document, refresh=True)

    def remove_article(self, article_id: int) -> None:
        """Delete the article's document, if there is one; gone from search when this returns."""
        self.client.options(ignore_status=404).delete(index=self.index, id=str(article_id), refresh=True)

    def rebuild_index(self) -> None:
        """Drop the index and index every published article again, in bulk."""
        self.client.options(ignore_status=404).indices.delete(index=self.index)
        self._index_exists = False
        self._ensure_index()
        articles = list(KnowledgeArticle.objects.filter(is_published=True).order_by("pk"))
        vectors = article_vectors(articles)
        actions = (
            {"_index": self.index, "_id": str(article.pk), "_source": _document(article, vector)}
            for article, vector in zip(articles, vectors, strict=True)
        )
        bulk(self.client, actions, refresh=True)

    def _search(self, candidates: dict[str, Any], vector: list[float], size: int) -> Any:
        source = {"excludes": ["embedding"]}
        # a zero vector (no known word piece) has no direction to compare, and cosine indices reject it
        if self._knn_supported and any(vector):
            knn = {
                "field": "embedding",
                "query_vector": vector,
                "k": size,
                "num_candidates": max(KNN_NUM_CANDIDATES, size),
                "filter": candidates,
            }
            try:
                return self.client.search(
                    index=self.index, query=candidates, knn=knn, size=size, source=source
                )
            except BadRequestError as error:
                without_knn = self.client.search(index=self.index, query=candidates, size=size, source=source)
                logger.warning("Elasticsearch rejected kNN search, using BM25 alone: %s", error)
                self._knn_supported = False
                return without_knn
        return self.client.search(index=self.index, query=candidates, size=size, source=source)

    def _ensure_index(self) -> None:
        if self._index_exists:
            return
        if not self.client.indices.exists(index=self.index):
            try:
                self.client.indices.create(index=self.index, mappings=_mappings())
            except BadRequestError as error:
                if error.error != "resource_already_exists_exception":  # another process made it first
                    raise
        self._index_exists = True


def _as_search_error(error: ApiError | TransportError) -> Exception:
    """A passing failure (no answer, 429, 5xx) as SearchUnavailable, which the tool runner retries; anything
    else (a rejected query, a missing permission) unchanged."""
    if isinstance(error, TransportError):
        return SearchUnavailable(f"Elasticsearch did not answer: {error}")
    status = error.meta.status
    if status == 429 or status >= 500:
        retry_after = error.meta.headers.get("Retry-After")
        seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
        return SearchUnavailable(f"Elasticsearch answered {status}: {error.message}", retry_after=seconds)
    return error


def _candidates(query: str, intent: str) -> dict[str, Any]:
    # multi_match analyses the text as plain words: quotes, *, AND, NEAR(, -, : and ( are not query syntax.
    words: dict[str, Any] = {"multi_match": {"query": query, "fields": ["title^2", "body"]}}
    if not intent:
        return words
    # the routed intent's article is a candidate even when it shares no word with the question
    return {"bool": {"should": [words, {"term": {"intent": intent}}], "minimum_should_match": 1}}


def _mappings() -> dict[str, Any]:
    return {
        "properties": {
            "slug": {"type": "keyword"},
            "source_id": {"type": "keyword"},
            "intent": {"type": "keyword"},
            "title": {"type": "text", "analyzer": "english"},
            "body": {"type": "text", "analyzer": "english"},
            "version": {"type": "integer"},
            "embedding": {
                "type": "dense_vector",
                "dims": static_embedder().dimensions,
                "index": True,
                "similarity": "cosine",
            },
        }
    }


def _document(article: KnowledgeArticle, vector: Any) -> dict[str, Any]:
    document = {
        "slug": article.slug,
        "source_id": article.source_id,
        "intent": article.intent,
        "title": article.title,
        "body": article.body,
        "version": article.version,
    }
    if vector.any():  # cosine similarity rejects zero vectors
        document["embedding"] = vector.tolist()
    return document


def _hit(hit: dict[str, Any], score: float) -> SearchHit:
    source = hit["_source"]
    return SearchHit(
        article_id=int(hit["_id"]),
        slug=source["slug"],
        title=source["title"],
        intent=source["intent"],
        text=source["body"],
        score=round(score, 4),
        version=source["version"],
        source_id=source.get("source_id", ""),
    )
