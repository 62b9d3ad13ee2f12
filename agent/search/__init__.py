"""Knowledge-base search behind one interface; the backend is chosen by settings.SEARCH_BACKEND."""

from .base import KnowledgeSearch, SearchHit, get_search_backend

__all__ = ["KnowledgeSearch", "SearchHit", "get_search_backend"]
