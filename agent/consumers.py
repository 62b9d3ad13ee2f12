import asyncio
import contextlib
import functools
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from agent.events import broadcaster, conversation_group
from agent.views import SESSION_KEY

logger = logging.getLogger(__name__)

# A value kept in Redis beside the channel layer's groups: gone with them when Redis restarts empty.
LAYER_EPOCH_KEY = "live-events-epoch"
SERVICE_RESTART = 1012  # pages reconnect, and read what they missed


class RelayConsumer(AsyncJsonWebsocketConsumer):
    """Relays the live events of one group to an open page; subclasses decide who may join which group.

    On Redis, a restart that empties it takes every group's members with it, while the consumer outlasts it
    (its reads wait for Redis), deaf. Each consumer therefore checks the layer's epoch every
    LIVE_CHECK_SECONDS and, once it changed, closes with 1012: the page reconnects, joins again and reads
    what it missed (the widget's joins again in place: widget.consumers)."""

    group = ""
    epoch: str | None = None
    watch: asyncio.Task[None] | None = None
    _channel_receive: Callable[[], Awaitable[dict[str, Any]]]

    # Channels sets this to read the consumer's events from the layer. On Redis, a read that fails (Redis is
    # restarting) would end the consumer and close its page's socket, and then the next consumer's, until
    # every page of the process has reconnected at once: the read waits for Redis instead.
    @property
    def channel_receive(self) -> Callable[[], Awaitable[dict[str, Any]]]:
        return self._channel_receive

    @channel_receive.setter
    def channel_receive(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        self._channel_receive = functools.partial(_receive_outlasting_redis, receive)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its hop to the database's thread (close_old_connections) before every
        frame and every relayed event: under load that hop, two or three a customer message, queued behind
        the very work it waited for. These consumers reach the database only through
        database_sync_to_async, which closes old connections around each call itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def join(self, group: str) -> None:
        broadcaster.serve_from(asyncio.get_running_loop())
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        if settings.REDIS_URL:
            self.epoch = await layer_epoch()
            self.watch = asyncio.create_task(self.watch_layer())

    async def watch_layer(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVE_CHECK_SECONDS)
            try:
                current = await cache.aget(LAYER_EPOCH_KEY)
            except Exception as error:  # Redis is down: nothing is heard until it is back anyway
                logger.info("live events: the layer's epoch cannot be read (%s)", error)
                continue
            if current != self.epoch and not await self.layer_emptied():
                return

    async def layer_emptied(self) -> bool:
        """The channel layer lost its groups (Redis restarted empty): the page reconnects, joins again and
        reads what it missed. Returns whether the socket stays open."""
        await self.close(code=SERVICE_RESTART)
        return False

    async def disconnect(self, code: int) -> None:
        if self.watch is not None:
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def relay_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])


async def _receive_outlasting_redis(receive: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """The next event from the layer, however long Redis takes to come back."""
    while True:
        try:
            return await receive()
        except (RedisConnectionError, OSError) as error:
            logger.info("live events: the channel layer cannot be read yet (%s)", error)
            await asyncio.sleep(0.5 + random.random())  # noqa: S311 (spreads the retries)


async def layer_epoch() -> str | None:
    """The channel layer's epoch, started by the first consumer to ask; None if Redis cannot be reached."""
    try:
        await cache.aadd(LAYER_EPOCH_KEY, uuid.uuid4().hex, timeout=None)
        value: str | None = await cache.aget(LAYER_EPOCH_KEY)
    except Exception as error:
        logger.info("live events: the layer's epoch cannot be read (%s)", error)
        return None
    return value


class ConversationConsumer(RelayConsumer):
    """Tells a customer's open chat page that its conversation changed; only the session's own."""

    async def connect(self) -> None:
        session = self.scope.get("session")
        public_id = session.get(SESSION_KEY) if session is not None else None
        if not public_id:
            await self.close(code=4403)
            return
        await self.join(conversation_group(public_id))
