"""Live events: their names, their payloads, and the groups they go to. Sent only after the change commits,
so that no page ever hears of a change that was rolled back. Consumers only relay them."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

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


def send_event_on_commit(group: str, name: str, **payload: Any) -> None:
    """Broadcast `name` with `payload` to `group` once the current transaction commits."""
    message = {"type": RELAY_TYPE, "event": {"name": name, **payload}}

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    transaction.on_commit(send)


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


def conversation_updated(*, public_id: object, status: str) -> None:
    send_event_on_commit(conversation_group(public_id), CONVERSATION_UPDATED, status=status)
