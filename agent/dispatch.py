"""Handing stored customer messages to the workers. A broker that is down loses nothing: the message is
already stored, and the sweep queues every message still waiting for an answer once the broker is back."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from kombu.exceptions import OperationalError

from agent.models import Message

logger = logging.getLogger(__name__)

# A message this old with no run yet was not delivered to a worker (or its worker died before starting).
STALE_AFTER = timedelta(seconds=60)


def dispatch_message(message_id: int) -> bool:
    """Queue the agent for one message; False (and a warning) if the broker cannot be reached."""
    from agent.tasks import run_agent_task

    try:
        run_agent_task.apply_async((message_id,), retry=False)
    except (OperationalError, ConnectionError, OSError) as error:
        logger.warning("message %s kept for later: the task broker is unreachable (%s)", message_id, error)
        return False
    return True


def waiting_messages(*, older_than: timedelta = STALE_AFTER) -> list[int]:
    """Customer messages with no agent run yet, oldest first."""
    cutoff = timezone.now() - older_than
    return list(
        Message.objects.filter(role=Message.Role.CUSTOMER, runs__isnull=True, created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def requeue_waiting_messages(*, older_than: timedelta = STALE_AFTER) -> int:
    """Queue the agent for every message still waiting; returns how many were queued."""
    return sum(dispatch_message(message_id) for message_id in waiting_messages(older_than=older_than))
