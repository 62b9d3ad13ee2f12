"""Taking in customers' messages: the same checks for the HTTP API and the websocket, and group commit for the
websocket.

Every message is checked (length, then the rate limits), then stored and screened by
agent.services.store_batch, and the agent queued for it. Messages that arrive over websockets while a batch is
being stored wait and go into the next batch together: one rate-limit round trip to Redis, one insert, one
commit and one queued task for all of them (agent.dispatch.dispatch_batch), instead of one of each per
message. Nothing waits on purpose: a message that arrives while the process is idle is stored at once, alone.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction

from agent.dispatch import dispatch_batch, dispatch_messages, queues_in_process
from agent.models import Message
from agent.services import ConversationGone, Incoming, InvalidMessage, store_batch
from supportagent.admission import BUSY, RETRY_AFTER_SECONDS
from widget.limits import Limit, hit_each

logger = logging.getLogger(__name__)

TOO_FAST = "You're sending messages faster than we can answer. Please wait {seconds} seconds."
MAX_BATCH = 200  # messages stored in one transaction
MAX_WAITING = 2000  # messages waiting for a batch in one process; beyond it the process is busy


class Refused(Exception):
    """A message or request turned down, with the status and the message the customer reads."""

    def __init__(self, status: int, message: str, *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class Sending:
    """A customer's message as the widget sent it, and from which address."""

    incoming: Incoming
    client_ip: str


def message_limits() -> tuple[Limit, Limit]:
    per_minute = 60
    return (
        Limit("messages-per-conversation", settings.WIDGET_MESSAGES_PER_MINUTE, per_minute),
        Limit("messages-per-ip", settings.WIDGET_MESSAGES_PER_MINUTE_PER_IP, per_minute),
    )


REF_RULE = "A message's ref is 1 to 64 letters, digits, '-' or '_'."
_REF = re.compile(r"[A-Za-z0-9_-]{1,64}")


def valid_ref(ref: str) -> bool:
    """The id a page gives its message ("" for none: an HTTP send without one is stored as new)."""
    return not ref or _REF.fullmatch(ref) is not None


def check_text(text: object) -> str:
    """The widget's own bounds on a message (shorter than the store's); Refused with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise Refused(400, "Please type a message.")
    if len(text.strip()) > settings.WIDGET_MAX_MESSAGE_CHARS:
        raise Refused(400, f"Please keep messages under {settings.WIDGET_MAX_MESSAGE_CHARS} characters.")
    return text


def take_in(batch: list[Sending]) -> list[Message | Refused]:
    """Count each message against its conversation's and its address's limits, then store and queue those
    within them, in one transaction. A result per message: the stored message, or why it was refused (a
    database that cannot be reached refuses them all with 503: nothing was stored)."""
    results, new = store(batch)
    queued = [message.pk for message in new]
    if queued:
        transaction.on_commit(lambda: dispatch_messages(queued))
    return results


def store(batch: list[Sending]) -> tuple[list[Message | Refused], list[Message]]:
    """take_in without queueing the agent: the results, and the new messages to queue."""
    per_conversation, per_ip = message_limits()
    waits = hit_each(
        [
            [(per_conversation, str(sending.incoming.conversation.public_id)), (per_ip, sending.client_ip)]
            for sending in batch
        ]
    )
    results: list[Message | Refused | None] = [
        Refused(429, TOO_FAST.format(seconds=wait), retry_after=wait) if wait else None for wait in waits
    ]
    within = [index for index, result in enumerate(results) if result is None]
    try:
        stored, new = store_batch([batch[index].incoming for index in within])
    except (OperationalError, IntegrityError) as error:
        # the database is unreachable or every connection is busy; or a conversation was erased just now
        logger.warning("%d messages refused for now: %s", len(within), error)
        for index in within:
            results[index] = Refused(503, BUSY, retry_after=RETRY_AFTER_SECONDS)
        return [result for result in results if result is not None], []
    for index, result in zip(within, stored, strict=True):
        if isinstance(result, InvalidMessage):  # a page holding an erased conversation forgets it (401)
            results[index] = Refused(401 if isinstance(result, ConversationGone) else 400, str(result))
        else:
            results[index] = result
    return [result for result in results if result is not None], new


@dataclass
class _Waiting:
    sending: Sending
    result: asyncio.Future[Message]


class Intake:
    """Group commit for the messages a process's websockets receive (see the module's docstring)."""

    def __init__(self) -> None:
        self.waiting: list[_Waiting] = []
        self.storing: asyncio.Task[None] | None = None
        self.queueing: set[asyncio.Task[None]] = set()

    async def submit(self, sending: Sending) -> Message:
        """The stored message (or the one stored earlier under its ref); Refused otherwise."""
        if len(self.waiting) >= MAX_WAITING:
            raise Refused(503, BUSY, retry_after=RETRY_AFTER_SECONDS)
        loop = asyncio.get_running_loop()
        waiting = _Waiting(sending, loop.create_future())
        self.waiting.append(waiting)
        if self.storing is None or self.storing.done():
            self.storing = loop.create_task(self._store())
        # shielded: a page that disconnects meanwhile does not take the message out of its batch
        return await asyncio.shield(waiting.result)

    async def _store(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MAX_BATCH], self.waiting[MAX_BATCH:]
            new: list[Message] = []
            try:
                results, new = await database_sync_to_async(store)([waiting.sending for waiting in batch])
            except Exception:  # nothing was stored: each page is told to send again
                logger.exception("a batch of %d messages was not stored", len(batch))
                results = [Refused(503, BUSY, retry_after=RETRY_AFTER_SECONDS) for _ in batch]
            for waiting, result in zip(batch, results, strict=True):
                if waiting.result.done():
                    continue
                if isinstance(result, Refused):
                    waiting.result.set_exception(result)
                else:
                    waiting.result.set_result(result)
            if new:
                self._queue([message.pk for message in new])

    def _queue(self, message_ids: list[int]) -> None:
        """Queue the agent for a stored batch, after its acknowledgements (a process that dies first leaves
        the messages to the sweep, agent.dispatch.requeue_waiting_messages). With a broker this touches no
        database and runs beside the next batch's storing; in process (Celery eager) it runs the agent, on
        the database's thread."""
        if queues_in_process():
            run = database_sync_to_async(dispatch_batch)
        else:
            run = sync_to_async(dispatch_batch, thread_sensitive=False)
        task = asyncio.get_running_loop().create_task(run(message_ids))
        self.queueing.add(task)
        task.add_done_callback(self.queueing.discard)


_intakes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Intake] = weakref.WeakKeyDictionary()


def intake() -> Intake:
    """The running event loop's intake (a server has one loop; tests start one each)."""
    return _intakes.setdefault(asyncio.get_running_loop(), Intake())
