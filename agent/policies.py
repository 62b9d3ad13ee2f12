"""Reads of the per-intent threshold policy, with the settings' default for intents that have none."""

from __future__ import annotations

from django.conf import settings

from agent.decisions import Policy
from agent.models import ThresholdPolicy


def policy_for(intent: str) -> Policy:
    """The policy for `intent`; intents with no row use DEFAULT_AUTO_SEND_THRESHOLD and are not escalated."""
    row = ThresholdPolicy.objects.filter(intent=intent).first() if intent else None
    if row is None:
        return Policy(auto_send_threshold=settings.DEFAULT_AUTO_SEND_THRESHOLD, always_escalate=False)
    return Policy(
        auto_send_threshold=row.auto_send_threshold,
        always_escalate=row.always_escalate,
        cascade_threshold=row.cascade_threshold,
        is_critical=row.is_critical,
    )
