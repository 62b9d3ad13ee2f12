"""Reads for the review queue."""

from __future__ import annotations

from django.db.models import QuerySet

from agent.models import Draft


def pending_drafts(*, intent: str = "") -> QuerySet[Draft]:
    """Drafts waiting for a reviewer, oldest first."""
    drafts = Draft.objects.filter(status=Draft.Status.PENDING_REVIEW).select_related(
        "message", "conversation__customer"
    )
    if intent:
        drafts = drafts.filter(intent=intent)
    return drafts.order_by("created_at", "pk")
