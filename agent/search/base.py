from __future__ import annotations

import abc
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from agent.models import KnowledgeArticle, KnowledgePassage

# Every backend scores an article's relevance in [0, 1] and adds this to the article written for the routed
# intent, so that article comes first: the router is far more accurate on short questions than words are.
INTENT_BOOST = 1.0
# How many lexical candidates a backend re-ranks by meaning before it keeps the best `k`.
RERANK_POOL = 20


class SearchUnavailable(Exception):
    """The search service failed in a way that may pass (timeout, lost connection, 429, 5xx): the same search
    may succeed later. `retry_after` is in seconds, when the service said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SearchHit:
    """One knowledge-base article that matched a query, with the text the draft may use."""

    article_id: int
    slug: str
    title: str
    intent: str
    text: str
    score: float
    version: int
    source_id: str = ""  # the article's id in the source it was imported from, if any
    heading: str = ""  # the section of the article the text comes from, if any
    url: str = ""  # where customers can read the article, if anywhere

    @classmethod
    def for_article(cls, article: KnowledgeArticle, score: float) -> SearchHit:
        """The hit for `article` as stored in the database, with its final score."""
        return cls(
            article_id=article.pk,
            slug=article.slug,
            title=article.title,
            intent=article.intent,
            text=article.body,
            score=round(score, 4),
            version=article.version,
            source_id=article.source_id,
            url=article.url,
        )

    @classmethod
    def for_passage(cls, passage: KnowledgePassage, score: float) -> SearchHit:
        """The hit for one passage of a stored article: the article's hit, with the passage's text."""
        return replace(cls.for_article(passage.article, score), text=passage.text, heading=passage.heading)


class KnowledgeSearch(abc.ABC):
    """Finds published knowledge articles for a customer's question; keeps its index in step with edits."""

    @abc.abstractmethod
    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        """The best `k` published articles for `query`, best first; `intent` (the routed one) comes first."""

    @abc.abstractmethod
    def index_article(self, article: KnowledgeArticle) -> None:
        """Make the article's current title and body searchable, or unsearchable if it is unpublished."""

    @abc.abstractmethod
    def remove_article(self, article_id: int) -> None:
        """Stop finding the article with this id (it was deleted); unknown ids are ignored."""

    @abc.abstractmethod
    def rebuild_index(self) -> None:
        """Index every published article afresh, e.g. after bulk updates that sent no signals."""


def get_search_backend() -> KnowledgeSearch:
    """The configured backend: `embedded` (in the database) by default, or `elasticsearch`."""
    if settings.SEARCH_BACKEND == "embedded":
        from .embedded import EmbeddedSearch

        return EmbeddedSearch.shared()
    if settings.SEARCH_BACKEND == "elasticsearch":
        from .elasticsearch import ElasticsearchSearch

        return ElasticsearchSearch.from_settings()
    raise ImproperlyConfigured(
        f"SEARCH_BACKEND {settings.SEARCH_BACKEND!r} is not one of 'embedded' or 'elasticsearch'."
    )
