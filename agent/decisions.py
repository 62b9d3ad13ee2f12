"""The decide rule: auto-send, review, or escalate. A pure function, so it can be tested at its edges."""

from __future__ import annotations

from dataclasses import dataclass

from agent.models.drafts import Decision


@dataclass(frozen=True)
class Policy:
    auto_send_threshold: float
    always_escalate: bool
    cascade_threshold: float = 0.0
    is_critical: bool = False


def decide(
    *,
    in_scope: bool,
    wants_human: bool,
    has_draft: bool,
    confidence: float,
    policy: Policy,
    tool_failure: str = "",
    handed_over: bool = False,
    injection: bool = False,
    withheld_context: bool = False,
) -> tuple[Decision, str]:
    """Escalate what a human must handle; auto-send at or above the threshold; review everything else."""
    if injection:
        return Decision.ESCALATE, "the message reads as instructions to the assistant"
    if wants_human:
        return Decision.ESCALATE, "the customer asked for a human"
    if not in_scope:
        return Decision.ESCALATE, "outside the bank's support scope"
    if policy.always_escalate:
        return Decision.ESCALATE, "this intent always goes to a human"
    if tool_failure:
        return Decision.ESCALATE, tool_failure
    if handed_over:
        return Decision.ESCALATE, "the assistant handed the conversation to a human"
    if not has_draft:
        return Decision.ESCALATE, "no knowledge-base article to ground an answer"
    if withheld_context:
        return Decision.REVIEW, "an article found reads as instructions to the assistant (withheld)"
    if confidence >= policy.auto_send_threshold:
        return Decision.AUTO_SEND, f"confidence {confidence:.2f} ≥ threshold {policy.auto_send_threshold:.2f}"
    return Decision.REVIEW, f"confidence {confidence:.2f} < threshold {policy.auto_send_threshold:.2f}"
