"""Django's cache on Redis: every request context of a process shares one connection pool and one client."""

import os
import threading

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="set REDIS_URL to use the Redis cache"
)


def pool_seen_from_another_thread():
    seen = {}

    def look():
        backend = caches["default"]
        seen["backend"] = backend
        seen["pool"] = backend._cache._get_connection_pool(write=True)

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen


def test_each_thread_has_its_own_cache_object_but_all_share_one_pool():
    here = caches["default"]
    there = pool_seen_from_another_thread()
    assert there["backend"] is not here  # Django keeps a cache object per thread (and per request context)
    assert there["pool"] is here._cache._get_connection_pool(write=True)


def test_every_cache_call_uses_the_pools_one_client_and_still_works():
    here = caches["default"]
    there = pool_seen_from_another_thread()["backend"]
    assert here._cache.get_client(write=True) is there._cache.get_client(write=False)
    here.set("shared-client", 41)
    assert there.incr("shared-client") == 42
    assert here.get("shared-client") == 42


def test_thirty_requests_at_once_use_no_more_connections_than_one():
    here = caches["default"]
    here.set("warm", 1)
    redis = here._cache.get_client(write=True)
    before = len(redis.client_list())
    alive = [pool_seen_from_another_thread()["backend"] for _ in range(30)]  # as requests in flight
    for backend in alive:
        backend.get("warm")
    assert len(redis.client_list()) <= before + 1
