"""Fixed-window rate limits kept in Django's cache (Redis in production, process memory embedded)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str  # what is limited, e.g. "messages-per-ip"
    count: int  # events allowed per window
    window_seconds: int

    def hit(self, key: str) -> int:
        """Count one event for `key`; 0 if it is allowed, else the seconds until the window resets.

        If the cache cannot be reached (Redis restarting), the event is allowed and a warning logged: a
        customer's message is worth more than a limit that cannot be counted for a moment."""
        now = time.time()
        window = int(now // self.window_seconds)
        cache_key = f"ratelimit:{self.scope}:{key}:{window}"
        try:
            used = self._count(cache_key)
        except Exception as error:  # each cache backend raises its own connection errors
            logger.warning("rate limit %s not counted: the cache is unreachable (%s)", self.scope, error)
            return 0
        if used <= self.count:
            return 0
        return max(1, int(self.window_seconds - now % self.window_seconds) + 1)

    def _count(self, cache_key: str) -> int:
        # One round trip once the window's counter exists (every hit but the window's first).
        try:
            return int(cache.incr(cache_key))
        except ValueError:  # the window's first hit (or its counter was evicted)
            if cache.add(cache_key, 1, timeout=self.window_seconds + 1):
                return 1
            return int(cache.incr(cache_key))  # another request started the window meanwhile


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the last address a trusted proxy added to X-Forwarded-For."""
    from django.conf import settings

    if settings.WIDGET_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", "unknown"))
