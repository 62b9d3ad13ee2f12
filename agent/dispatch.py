"""Handing stored customer messages to the workers. A broker that is down loses nothing: the message is
already stored, and the sweep queues every message still waiting for an answer once the broker is back."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from kombu.exceptions import OperationalError

from agent import leases
from agent.models import Message

logger = logging.getLogger(__name__)


def dispatch_message(message_id: int) -> bool:
    """Queue the agent for one message; False (and a warning) if the broker cannot be reached."""
    return dispatch_messages([message_id]) == 1


def queues_in_process() -> bool:
    """Celery eager (the embedded set-up and the tests): queueing runs the agent here, on the database."""
    from agent.tasks import run_agent_task

    return bool(run_agent_task.app.conf.task_always_eager)


def dispatch_messages(message_ids: list[int]) -> int:
    """Queue the agent for each message, over one broker connection; returns how many were queued. A message
    that cannot be queued (the broker is unreachable) is logged and left to the sweep.

    With Celery eager (the embedded set-up, no broker) the task runs in this process, on one background
    thread standing in for the worker, so that the request that stored the message does not wait for the LLM
    (AGENT_EAGER_IN_THREAD=false runs it inline instead, as the unit tests do)."""
    from agent.tasks import run_agent_task

    if queues_in_process():
        for message_id in message_ids:
            if settings.AGENT_EAGER_IN_THREAD:
                _in_process_worker().submit(_run_in_process, message_id)
            else:
                run_agent_task.apply_async((message_id,))
        return len(message_ids)
    queued = 0
    try:
        with run_agent_task.app.producer_or_acquire() as producer:
            for message_id in message_ids:
                run_agent_task.apply_async((message_id,), retry=False, producer=producer)
                queued += 1
    except (OperationalError, ConnectionError, OSError) as error:
        logger.warning(
            "messages %s kept for later: the task broker is unreachable (%s)", message_ids[queued:], error
        )
    except Exception:  # whatever else the broker client raises: stored, so the sweep queues them
        logger.exception("messages %s kept for later: they could not be queued", message_ids[queued:])
    return queued


def dispatch_batch(message_ids: list[int]) -> None:
    """Queue the agent for a batch of messages stored together: with a broker, one task that queues each
    (queue_messages_task), so that the web process publishes once; a batch that cannot be queued is logged
    and left to the sweep."""
    from agent.tasks import queue_messages_task

    if len(message_ids) < 2 or queues_in_process():
        dispatch_messages(message_ids)
        return
    try:
        queue_messages_task.apply_async((message_ids,), retry=False)
    except Exception as error:  # each broker client raises its own: stored, so the sweep queues them
        logger.warning("messages %s kept for later: they could not be queued (%s)", message_ids, error)


def waiting_messages(*, older_than: timedelta | None = None) -> list[int]:
    """Customer messages with no draft yet that no run is working on (no lease, or one that ran out), oldest
    first: their task never reached a worker, or was lost with the broker's queue."""
    cutoff = timezone.now() - (older_than if older_than is not None else stale_after())
    return list(
        Message.objects.filter(role=Message.Role.CUSTOMER, drafts__isnull=True, created_at__lte=cutoff)
        .filter(leases.free_q())
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def requeue_waiting_messages(*, older_than: timedelta | None = None) -> int:
    """Queue the agent for every message still waiting; returns how many were queued."""
    return sum(dispatch_message(message_id) for message_id in waiting_messages(older_than=older_than))


def stale_after() -> timedelta:
    """A message this old with no draft and no run holding it was not delivered to a worker (or its task was
    lost with the broker's queue)."""
    return timedelta(seconds=settings.AGENT_REQUEUE_AFTER_SECONDS)


@lru_cache(maxsize=1)
def _in_process_worker() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="agent-worker")


def _run_in_process(message_id: int) -> None:
    from agent.tasks import run_agent_task

    try:
        run_agent_task.apply(args=(message_id,), throw=True)
    except Exception:
        logger.exception("the agent failed on message %s", message_id)
    finally:
        close_old_connections()
