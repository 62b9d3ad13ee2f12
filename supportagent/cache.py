"""Django's cache on Redis, with one connection pool and one client per process.

Django keeps a cache object per request context, and its Redis client builds its own connection pool for each
one: under ASGI every request would open (and later drop) a TCP connection to Redis. This pool class hands
every cache object of the process the same pool for the same address and options. And Django builds a new
`redis.Redis` for every cache call, which copies its ~100 reply parsers each time (~70 µs, half as long as a
GET's round trip on loopback): the cache backend here hands out the one client of the pool, which redis-py
makes safe to share between threads (each command borrows a connection from the pool for its duration).
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import ConnectionPool, Redis


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

    @cached_property
    def client(self) -> Redis:
        return Redis(connection_pool=self)


class SharedClientCacheClient(RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the type stubs
        if isinstance(pool, SharedConnectionPool):
            return pool.client
        return super().get_client(key, write=write)


class RedisCache(DjangoRedisCache):
    """Django's Redis cache backend, whose calls share the pool's one client."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientCacheClient
