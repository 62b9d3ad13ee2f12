"""Fixed-window rate limits kept in Django's cache (Redis in production, process memory embedded)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    scope: str  # what is limited, e.g. "messages-per-ip"
    count: int  # events allowed per window
    window_seconds: int

    def hit(self, key: str) -> int:
        """Count one event for `key`; 0 if it is allowed, else the seconds until the window resets."""
        now = time.time()
        window = int(now // self.window_seconds)
        cache_key = f"ratelimit:{self.scope}:{key}:{window}"
        cache.add(cache_key, 0, timeout=self.window_seconds + 1)
        try:
            used = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=self.window_seconds + 1)
            used = 1
        if used <= self.count:
            return 0
        return max(1, int(self.window_seconds - now % self.window_seconds) + 1)


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the last address a trusted proxy added to X-Forwarded-For."""
    from django.conf import settings

    if settings.WIDGET_TRUST_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", "unknown"))
