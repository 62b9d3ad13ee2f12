"""One Redis connection pool per process for Django's cache.

Django keeps a cache object per request context, and its Redis client builds its own connection pool for each
one: under ASGI every request would open (and later drop) a TCP connection to Redis. This pool class hands
every cache object of the process the same pool for the same address and options.
"""

from __future__ import annotations

import threading
from typing import Any

from redis import ConnectionPool


class SharedConnectionPool(ConnectionPool):
    _shared: dict[str, ConnectionPool] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Any:
        key = f"{url} {sorted((name, repr(value)) for name, value in kwargs.items())}"
        with cls._shared_lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
        return pool
