from __future__ import annotations

import abc
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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


class KnowledgeSearch(abc.ABC):
    """Finds published knowledge articles for a customer's question."""

    @abc.abstractmethod
    def search(self, query: str, *, k: int = 3, intent: str = "") -> list[SearchHit]:
        """The best `k` published articles for `query`, best first; `intent` (the routed one) may boost."""


def get_search_backend() -> KnowledgeSearch:
    """The configured backend: `embedded` (in-process, over the database) by default."""
    if settings.SEARCH_BACKEND == "embedded":
        from .embedded import EmbeddedSearch

        return EmbeddedSearch.shared()
    raise ImproperlyConfigured(
        f"SEARCH_BACKEND {settings.SEARCH_BACKEND!r} is not available in this version."
    )
