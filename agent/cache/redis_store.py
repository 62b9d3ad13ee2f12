"""The response cache in Redis, shared by every web and worker process.

Keys, under a prefix (setting `RESPONSE_CACHE_REDIS_PREFIX`, default `supportagent:answers:`):

    entry:<key>              hash: question, intent, text, article_versions (JSON), source_draft_id; expires
    intent:<intent>:vectors  hash: entry key -> float32 question vector, read whole by a semantic lookup
    intent:<intent>:expiry   sorted set: entry key scored by its expiry time, to prune the vectors hash
    article:<id>             sorted set: keys of the entries that used the article, scored by expiry

Needs Redis 7 or later (EXPIRE with NX and GT).
"""

from __future__ import annotations

import json
import logging
import time
from functools import lru_cache
from typing import cast

import numpy as np
import redis
from django.conf import settings

from .base import CachedAnswer, ResponseCache, StoredAnswer

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "supportagent:answers:"


@lru_cache(maxsize=8)
def _client_for(url: str) -> redis.Redis:
    # one connection pool per URL and process
    return redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)


class RedisResponseCache(ResponseCache):
    """Entries are Redis hashes that expire by themselves; an outage makes lookups miss and stores skip."""

    def __init__(self, client: redis.Redis, *, prefix: str = DEFAULT_PREFIX):
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_settings(cls) -> RedisResponseCache:
        """The store on REDIS_URL, under the configured key prefix."""
        prefix = getattr(settings, "RESPONSE_CACHE_REDIS_PREFIX", DEFAULT_PREFIX)
        return cls(_client_for(settings.REDIS_URL), prefix=prefix)

    def lookup(self, *, question: str, intent: str) -> CachedAnswer | None:
        """As `ResponseCache.lookup`; a miss if Redis cannot be reached (the agent drafts as usual)."""
        try:
            return super().lookup(question=question, intent=intent)
        except redis.RedisError:
            logger.warning("Response cache lookup failed; answering without the cache", exc_info=True)
            return None

    def store(
        self,
        *,
        question: str,
        intent: str,
        text: str,
        article_versions: dict[int, int],
        source_draft_id: int | None = None,
    ) -> None:
        """As `ResponseCache.store`; skipped, with a warning, if Redis cannot be reached."""
        try:
            super().store(
                question=question,
                intent=intent,
                text=text,
                article_versions=article_versions,
                source_draft_id=source_draft_id,
            )
        except redis.RedisError:
            logger.warning("Response cache store failed; the answer is not cached", exc_info=True)

    def invalidate_article(self, article_id: int) -> int:
        """Remove every entry that used the article; returns how many were removed."""
        index = self._article_index(article_id)
        self.client.zremrangebyscore(index, "-inf", time.time())
        members = cast(list[bytes], self.client.zrange(index, 0, -1))
        keys = [_text(member) for member in members]
        removed = self._remove(keys)
        self.client.delete(index)
        return removed

    def clear(self) -> None:
        """Remove every key under this store's prefix."""
        batch: list[bytes] = []
        for name in self.client.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                self.client.unlink(*batch)
                batch.clear()
        if batch:
            self.client.unlink(*batch)

    def _entry(self, key: str) -> StoredAnswer | None:
        fields = cast(dict[bytes, bytes], self.client.hgetall(self._entry_name(key)))
        if not fields:
            return None
        draft_id = _text(fields[b"source_draft_id"])
        return StoredAnswer(
            key=key,
            question=_text(fields[b"question"]),
            intent=_text(fields[b"intent"]),
            text=_text(fields[b"text"]),
            article_versions={int(k): v for k, v in json.loads(fields[b"article_versions"]).items()},
            source_draft_id=int(draft_id) if draft_id else None,
        )

    def _intent_vectors(self, intent: str) -> tuple[list[str], np.ndarray]:
        vectors_name, expiry_name = self._intent_names(intent)
        with self.client.pipeline() as pipe:
            pipe.zrangebyscore(expiry_name, "-inf", time.time())
            pipe.hgetall(vectors_name)
            expired_members, stored = pipe.execute()
        if expired_members:
            with self.client.pipeline() as pipe:
                pipe.zrem(expiry_name, *expired_members)
                pipe.hdel(vectors_name, *expired_members)
                pipe.execute()
        expired = set(expired_members)
        live = [(key, vector) for key, vector in stored.items() if key not in expired]
        if not live:
            return [], np.zeros((0, 0), dtype=np.float32)
        keys = [key.decode() for key, _ in live]
        return keys, np.stack([np.frombuffer(vector, dtype=np.float32) for _, vector in live])

    def _save(self, entry: StoredAnswer, vector: np.ndarray, ttl_seconds: float) -> None:
        name = self._entry_name(entry.key)
        ttl_ms = max(1, round(ttl_seconds * 1000))
        expires_at = time.time() + ttl_seconds
        previous = cast(bytes | None, self.client.hget(name, "article_versions"))
        dropped = set(json.loads(previous)) - {str(k) for k in entry.article_versions} if previous else set()
        vectors_name, expiry_name = self._intent_names(entry.intent)
        article_indexes = [self._article_index(article_id) for article_id in entry.article_versions]
        with self.client.pipeline() as pipe:
            pipe.delete(name)
            pipe.hset(
                name,
                mapping={
                    "question": entry.question,
                    "intent": entry.intent,
                    "text": entry.text,
                    "article_versions": json.dumps(entry.article_versions),
                    "source_draft_id": "" if entry.source_draft_id is None else str(entry.source_draft_id),
                },
            )
            pipe.pexpire(name, ttl_ms)
            pipe.hset(vectors_name, entry.key, vector.astype(np.float32).tobytes())  # type: ignore[arg-type]
            pipe.zadd(expiry_name, {entry.key: expires_at})
            for index in article_indexes:
                pipe.zadd(index, {entry.key: expires_at})
            for article_id in dropped:
                pipe.zrem(self._article_index(int(article_id)), entry.key)
            # an index lives as long as its longest-lived entry
            for index in [vectors_name, expiry_name, *article_indexes]:
                pipe.pexpire(index, ttl_ms, nx=True)
                pipe.pexpire(index, ttl_ms, gt=True)
            pipe.execute()

    def _remove(self, keys: list[str]) -> int:
        if not keys:
            return 0
        with self.client.pipeline() as pipe:
            for key in keys:
                pipe.hmget(self._entry_name(key), ["intent", "article_versions"])
            found = pipe.execute()
        with self.client.pipeline() as pipe:
            for key in keys:
                pipe.delete(self._entry_name(key))
            for key, (intent, versions) in zip(keys, found, strict=True):
                if intent is not None:
                    vectors_name, expiry_name = self._intent_names(intent.decode())
                    pipe.hdel(vectors_name, key)
                    pipe.zrem(expiry_name, key)
                for article_id in json.loads(versions) if versions else []:
                    pipe.zrem(self._article_index(int(article_id)), key)
            deleted = pipe.execute()[: len(keys)]
        return sum(deleted)

    def _entry_name(self, key: str) -> str:
        return f"{self.prefix}entry:{key}"

    def _intent_names(self, intent: str) -> tuple[str, str]:
        return f"{self.prefix}intent:{intent}:vectors", f"{self.prefix}intent:{intent}:expiry"

    def _article_index(self, article_id: int) -> str:
        return f"{self.prefix}article:{article_id}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _glob_escape(text: str) -> str:
    # a prefix is matched literally, even one holding SCAN's wildcard characters
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
