"""Reads of the per-intent threshold policy, with the settings' default for intents that have none."""

from __future__ import annotations

from django.conf import settings

from agent.config import config
from agent.decisions import Policy
from agent.models import ThresholdPolicy


def policy_for(intent: str) -> Policy:
    """The policy for `intent`; intents with no row use DEFAULT_AUTO_SEND_THRESHOLD and are not escalated."""
    policy = config.get("policies", _all_policies).get(intent) if intent else None
    if policy is None:
        return Policy(auto_send_threshold=settings.DEFAULT_AUTO_SEND_THRESHOLD, always_escalate=False)
    return policy


def _all_policies() -> dict[str, Policy]:
    return {
        row.intent: Policy(
            auto_send_threshold=row.auto_send_threshold,
            always_escalate=row.always_escalate,
            cascade_threshold=row.cascade_threshold,
            is_critical=row.is_critical,
        )
        for row in ThresholdPolicy.objects.all()
    }
