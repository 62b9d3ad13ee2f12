"""Dense vectors for search: the static MiniLM embeddings the router ships, loaded once per process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from agent.routing.embeddings import StaticEmbedder

if TYPE_CHECKING:
    from agent.models import KnowledgeArticle

_embedder: StaticEmbedder | None = None
_lock = threading.Lock()


def static_embedder() -> StaticEmbedder:
    """The process-wide embedder, read from `agent/data/minilm_static` on first use."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = StaticEmbedder.load()
    return _embedder


def title_text_vectors(titles: list[str], texts: list[str]) -> np.ndarray:
    """One unit vector per (title, text) pair, in order: the direction between the title's and the text's
    vectors.

    Title and text are embedded apart because a long text's word pieces would otherwise drown the title,
    which says most plainly what the article answers (on BANKING77 questions this finds the right article
    more often than embedding the two together).
    """
    embedder = static_embedder()
    vectors = embedder.embed(titles) + embedder.embed(texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=vectors, where=norms > 0)


def article_vectors(articles: list[KnowledgeArticle]) -> np.ndarray:
    """One unit vector per article, from its title and body."""
    return title_text_vectors([a.title for a in articles], [a.body for a in articles])


def query_vector(query: str) -> np.ndarray:
    """The unit vector of a customer's question (zero if none of its words is known)."""
    vector: np.ndarray = static_embedder().embed([query])[0]
    return vector
