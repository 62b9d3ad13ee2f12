import asyncio
import functools
import logging
import random
import uuid
import weakref
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
    (its reads wait for Redis), deaf. The process therefore reads the layer's epoch every LIVE_CHECK_SECONDS
    (LayerWatch) and, once it changed, each of its consumers closes with 1012: the page reconnects, joins
    again and reads what it missed (the widget's joins again in place: widget.consumers)."""

    group = ""
    epoch: str | None = None  # the layer's epoch this consumer joined its group under
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
            await layer_watch().add(self)

    async def layer_emptied(self, epoch: str) -> bool:
        """The channel layer lost its groups (Redis restarted empty; `epoch` is the new one): the page
        reconnects, joins again and reads what it missed. Returns whether the socket stays open."""
        await self.close(code=SERVICE_RESTART)
        return False

    async def disconnect(self, code: int) -> None:
        if settings.REDIS_URL:
            layer_watch().discard(self)
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


class LayerWatch:
    """Reads the channel layer's epoch every LIVE_CHECK_SECONDS for all the consumers of one event loop (one
    read a process, not one a socket), and tells each consumer that joined under an older epoch, each at a
    random moment of the next interval, so that the pages do not all act at once."""

    def __init__(self) -> None:
        self.consumers: set[RelayConsumer] = set()
        self.telling: set[RelayConsumer] = set()
        self.epoch: str | None = None
        self.reading: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    async def add(self, consumer: RelayConsumer) -> None:
        if self.reading is None or self.reading.done():
            self.epoch = await layer_epoch()
            self.reading = asyncio.get_running_loop().create_task(self._read())
        consumer.epoch = self.epoch
        self.consumers.add(consumer)

    def discard(self, consumer: RelayConsumer) -> None:
        self.consumers.discard(consumer)

    async def _read(self) -> None:
        while self.consumers:
            await asyncio.sleep(settings.LIVE_CHECK_SECONDS)
            try:
                current = await cache.aget(LAYER_EPOCH_KEY) or await layer_epoch()
            except Exception as error:  # Redis is down: nothing is heard until it is back anyway
                logger.info("live events: the layer's epoch cannot be read (%s)", error)
                continue
            if current is None:
                continue
            self.epoch = current
            for consumer in self.consumers - self.telling:
                if consumer.epoch != current:
                    self.telling.add(consumer)
                    task = asyncio.get_running_loop().create_task(self._tell(consumer, current))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)

    async def _tell(self, consumer: RelayConsumer, epoch: str) -> None:
        try:
            await asyncio.sleep(random.random() * settings.LIVE_CHECK_SECONDS)  # noqa: S311 (spreads them)
            if consumer in self.consumers and not await consumer.layer_emptied(epoch):
                self.consumers.discard(consumer)
        finally:
            self.telling.discard(consumer)


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LayerWatch] = weakref.WeakKeyDictionary()


def layer_watch() -> LayerWatch:
    """The running event loop's watch (a server has one loop; tests start one each)."""
    return _watches.setdefault(asyncio.get_running_loop(), LayerWatch())


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
