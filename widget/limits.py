"""Fixed-window rate limits kept in Django's cache (Redis in production, process memory embedded)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    scope: str  # what is limited, e.g. "messages-per-ip"
    count: int  # events allowed per window
    window_seconds: int

    def _window(self, key: str, now: float) -> str:
        return f"ratelimit:{self.scope}:{key}:{int(now // self.window_seconds)}"

    def _wait(self, used: int, now: float) -> int:
        if used <= self.count:
            return 0
        return max(1, int(self.window_seconds - now % self.window_seconds) + 1)


def hit_all(hits: list[tuple[Limit, str]]) -> int:
    """Count one event against each (limit, key); 0 if every limit allows it, else the longest wait in
    seconds."""
    return hit_each([hits])[0]


def hit_each(events: list[list[tuple[Limit, str]]]) -> list[int]:
    """hit_all for each of several events, in order (an event counts against the limits of those before
    it). On Redis all the counters are kept in one round trip.

    If the cache cannot be reached (Redis restarting), the events are allowed and a warning logged: a
    customer's message is worth more than a limit that cannot be counted for a moment."""
    now = time.time()
    hits = [hit for event in events for hit in event]
    windows = [(limit._window(key, now), limit.window_seconds + 1) for limit, key in hits]
    try:
        counts = _count(windows)
    except Exception as error:  # each cache backend raises its own connection errors
        scopes = ", ".join(sorted({limit.scope for limit, _ in hits}))
        logger.warning("rate limits %s not counted: the cache is unreachable (%s)", scopes, error)
        return [0] * len(events)
    waits = [limit._wait(used, now) for (limit, _), used in zip(hits, counts, strict=True)]
    result, start = [], 0
    for event in events:
        result.append(max(waits[start : start + len(event)], default=0))
        start += len(event)
    return result


def _count(windows: list[tuple[str, int]]) -> list[int]:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # each window's counter starts at 0 with its expiry if it is new (SET NX), then counts: any Redis
        pipeline = backend._cache.get_client(write=True).pipeline(transaction=False)
        for key, timeout in windows:
            name = backend.make_and_validate_key(key)
            pipeline.set(name, 0, ex=timeout, nx=True)
            pipeline.incr(name)
        return [int(used) for used in pipeline.execute()[1::2]]
    return [_count_one(key, timeout) for key, timeout in windows]


def _count_one(key: str, timeout: int) -> int:
    # Any other cache: one call once the window's counter exists (every hit but the window's first).
    try:
        return int(cache.incr(key))
    except ValueError:  # the window's first hit (or its counter was evicted)
        if cache.add(key, 1, timeout=timeout):
            return 1
        return int(cache.incr(key))  # another request started the window meanwhile


def client_ip(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or the last address a trusted proxy added to X-Forwarded-For."""
    return caller_address(request.headers.get("X-Forwarded-For", ""), request.META.get("REMOTE_ADDR"))


def caller_address(forwarded: str, peer: object) -> str:
    """The peer's address, or the last address a trusted proxy added to X-Forwarded-For (`forwarded`); for a
    request (client_ip) and a websocket alike."""
    from django.conf import settings

    if settings.WIDGET_TRUST_X_FORWARDED_FOR and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(peer or "unknown")
