"""Who is working on a customer message. A message can be queued twice (a task redelivered after its worker
died, the sweep re-queueing a message whose task a broker restart lost); the lease makes sure only one run
works on it at a time, so that tickets and tool calls happen once.

A run takes the lease under its holder name (the id of the task that started it: a redelivered task has the
same id and takes its own lease back) for AGENT_LEASE_SECONDS, and renews it when it hands over to the LLM
queue and when it goes on there. A lease that runs out without a draft is free again, and the sweep
(agent.dispatch) queues the message anew."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from agent.models import Message


def _until() -> object:
    return timezone.now() + timedelta(seconds=settings.AGENT_LEASE_SECONDS)


def take(message_id: int, holder: str) -> bool:
    """Take the lease on a message with no draft yet: free, run out, or already this holder's."""
    return bool(
        Message.objects.filter(pk=message_id, drafts__isnull=True)
        .filter(free_q() | Q(agent_lease_holder=holder))
        .update(agent_lease_until=_until(), agent_lease_holder=holder)
    )


def renew(message_id: int, holder: str) -> bool:
    """Hold the lease longer; False if another run has taken it since (this one must stop)."""
    return bool(
        Message.objects.filter(pk=message_id, agent_lease_holder=holder).update(agent_lease_until=_until())
    )


def free_q() -> Q:
    """Messages whose lease nobody holds now."""
    return Q(agent_lease_until__isnull=True) | Q(agent_lease_until__lt=timezone.now())
