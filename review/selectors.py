"""Reads for the review queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from agent.models import Draft, Ticket

# Confidence bands a reviewer can filter by: name -> [low, high).
CONFIDENCE_BANDS = {"low": (0.0, 0.5), "medium": (0.5, 0.8), "high": (0.8, 1.01)}
ORDERINGS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "confidence": ("confidence", "pk"),
}


def pending_drafts(
    *, intent: str = "", band: str = "", older_than_minutes: int | None = None, order: str = "oldest"
) -> QuerySet[Draft]:
    """Drafts waiting for a reviewer, oldest first unless asked otherwise."""
    drafts = Draft.objects.filter(status=Draft.Status.PENDING_REVIEW).select_related(
        "message", "conversation__customer", "claim__reviewer"
    )
    if intent:
        drafts = drafts.filter(intent=intent)
    if band in CONFIDENCE_BANDS:
        low, high = CONFIDENCE_BANDS[band]
        drafts = drafts.filter(confidence__gte=low, confidence__lt=high)
    if older_than_minutes:
        drafts = drafts.filter(created_at__lte=timezone.now() - timedelta(minutes=older_than_minutes))
    return drafts.order_by(*ORDERINGS.get(order, ORDERINGS["oldest"]))


def pending_intents() -> list[str]:
    return sorted(
        set(Draft.objects.filter(status=Draft.Status.PENDING_REVIEW).values_list("intent", flat=True)) - {""}
    )


def is_late(draft: Draft) -> bool:
    """Waiting longer than the review SLA."""
    return bool(timezone.now() - draft.created_at > timedelta(minutes=settings.REVIEW_SLA_MINUTES))


def draft_for_review(draft_id: int) -> Draft | None:
    return (
        Draft.objects.select_related(
            "message", "conversation__customer", "run__agent_version", "ticket", "review_decision__reviewer"
        )
        .filter(pk=draft_id)
        .first()
    )


def recent_tickets(*, draft: Draft, limit: int = 5) -> QuerySet[Ticket]:
    return Ticket.objects.filter(customer=draft.conversation.customer).order_by("-created_at")[:limit]


def current_claim(draft: Draft) -> Any:
    from review.models import Claim

    claim = Claim.objects.filter(draft=draft).select_related("reviewer").first()
    return claim if claim is not None and claim.is_active() else None
