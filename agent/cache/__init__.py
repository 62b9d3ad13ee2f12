"""The agent's response cache: answers already sent, reused for the same or a paraphrased question."""

from .base import CachedAnswer, ResponseCache, get_response_cache

__all__ = ["CachedAnswer", "ResponseCache", "get_response_cache"]
