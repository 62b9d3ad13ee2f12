"""Live events: their names, their payloads, and the groups they go to. Sent only after the change commits,
so that no page ever hears of a change that was rolled back. Consumers only relay them."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

REVIEW_QUEUE_GROUP = "review-queue"
# The type under which consumers receive every event; the event's own name travels in the payload.
RELAY_TYPE = "relay.event"

DRAFT_QUEUED = "draft.queued"
DRAFT_CLAIMED = "draft.claimed"
DRAFT_RELEASED = "draft.released"
DRAFT_DECIDED = "draft.decided"
CONVERSATION_UPDATED = "conversation.updated"


def conversation_group(public_id: object) -> str:
    return f"conversation-{public_id}"


class _Broadcaster:
    """Sends events without making the code that changed something (a worker answering, a reviewer deciding)
    wait for the channel layer.

    In a process that serves websockets, events go to the server's own event loop, where the consumers and
    an in-memory channel layer live (asyncio queues are not thread-safe: putting into them from another loop
    may never wake the consumer). Elsewhere (a Celery worker) they go out from one event loop in a daemon
    thread, whose connections to Redis are reused from event to event."""

    def __init__(self) -> None:
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def serve_from(self, loop: asyncio.AbstractEventLoop) -> None:
        """Called by consumers as they connect: this loop serves websockets."""
        self._server_loop = loop

    def send(self, group: str, message: dict[str, Any]) -> Future[None]:
        layer = get_channel_layer()
        future = asyncio.run_coroutine_threadsafe(self._send(layer, group, message), self._loop())
        future.add_done_callback(_log_failure)
        return future

    @staticmethod
    async def _send(layer: Any, group: str, message: dict[str, Any]) -> None:
        if layer is not None:
            await layer.group_send(group, message)

    def _loop(self) -> asyncio.AbstractEventLoop:
        server = self._server_loop
        if server is not None and server.is_running():
            return server
        with self._lock:
            if self._own_loop is None or self._own_loop.is_closed():
                self._own_loop = asyncio.new_event_loop()
                threading.Thread(target=self._own_loop.run_forever, name="live-events", daemon=True).start()
            return self._own_loop


def _log_failure(future: Future[None]) -> None:
    error = future.exception()
    if error is not None:
        logger.warning("a live event was not sent: %s", error)


broadcaster = _Broadcaster()


def send_event_on_commit(group: str, name: str, **payload: Any) -> None:
    """Broadcast `name` with `payload` to `group` once the current transaction commits; an event that cannot
    be sent (the channel layer is down) is logged, and the change itself stays committed."""
    message = {"type": RELAY_TYPE, "event": {"name": name, **payload}}
    transaction.on_commit(lambda: broadcaster.send(group, message))


def draft_queued(*, draft_id: int, intent: str, confidence: float) -> None:
    send_event_on_commit(
        REVIEW_QUEUE_GROUP, DRAFT_QUEUED, draft=draft_id, intent=intent, confidence=confidence
    )


def draft_claimed(*, draft_id: int, reviewer: str, until: str) -> None:
    send_event_on_commit(REVIEW_QUEUE_GROUP, DRAFT_CLAIMED, draft=draft_id, reviewer=reviewer, until=until)


def draft_released(*, draft_id: int) -> None:
    send_event_on_commit(REVIEW_QUEUE_GROUP, DRAFT_RELEASED, draft=draft_id)


def draft_decided(*, draft_id: int, action: str, reviewer: str) -> None:
    send_event_on_commit(REVIEW_QUEUE_GROUP, DRAFT_DECIDED, draft=draft_id, action=action, reviewer=reviewer)


def conversation_updated(*, public_id: object, status: str, message_id: int | None = None) -> None:
    """The conversation's status, and the message that came with the change if one did: a page that already
    shows that message and status need not read the conversation again."""
    extra = {"message": message_id} if message_id is not None else {}
    send_event_on_commit(conversation_group(public_id), CONVERSATION_UPDATED, status=status, **extra)
