"""How each arm of an A/B test is doing, with 95% confidence intervals and a significance test against the
control arm. Conversations left to people by the ramp are not in any arm.

Per arm: resolution rate (conversations the agent answered entirely by itself: every draft auto-sent, no
review, no hand-over), approval and edit rates of the drafts reviewers decided, escalation rate, CSAT (1–5),
cost per conversation and latency per answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, Q, Sum
from scipy import stats

from agent.models import AgentRun, Conversation, ConversationRating, Experiment
from review.models import ReviewDecision

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Rate:
    hits: int
    trials: int

    @property
    def value(self) -> float | None:
        return self.hits / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Wilson's 95% interval: sound at small counts and near 0 or 1, unlike the normal one."""
        if not self.trials:
            return None
        n, p = self.trials, self.hits / self.trials
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Mean:
    values: tuple[float, ...]

    @property
    def value(self) -> float | None:
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Mean ± 1.96 standard errors (needs two values)."""
        n = len(self.values)
        if n < 2:
            return None
        mean = sum(self.values) / n
        sd = math.sqrt(sum((v - mean) ** 2 for v in self.values) / (n - 1))
        return mean - Z95 * sd / math.sqrt(n), mean + Z95 * sd / math.sqrt(n)


@dataclass(frozen=True)
class ArmReport:
    version: str
    is_control: bool
    weight: int
    conversations: int
    resolution: Rate
    escalation: Rate
    approval: Rate
    edit: Rate
    csat: Mean
    cost_per_conversation: Mean
    latency_ms: Mean
    resolution_p_value: float | None = None  # against the control arm
    csat_p_value: float | None = None


def two_proportion_p_value(a: Rate, b: Rate) -> float | None:
    """Two-sided p-value of a pooled two-proportion z-test; None without data on both sides."""
    if not a.trials or not b.trials:
        return None
    pooled = (a.hits + b.hits) / (a.trials + b.trials)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials))
    if spread == 0:
        return 1.0
    z = (a.hits / a.trials - b.hits / b.trials) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def welch_p_value(a: Mean, b: Mean) -> float | None:
    """Two-sided p-value of Welch's t-test; None with fewer than two values on a side or no spread."""
    if len(a.values) < 2 or len(b.values) < 2:
        return None
    result = stats.ttest_ind(a.values, b.values, equal_var=False)
    p = float(result.pvalue)
    return None if math.isnan(p) else p


def experiment_report(experiment: Experiment) -> list[ArmReport]:
    arms = list(experiment.arms.select_related("agent_version"))
    reports = [
        _arm(experiment, arm.agent_version_id, arm.agent_version.name, arm.is_control, arm.weight)
        for arm in arms
    ]
    control = next((r for r in reports if r.is_control), reports[0] if reports else None)
    return [r if r is control or control is None else _compared(r, control) for r in reports]


def _compared(report: ArmReport, control: ArmReport) -> ArmReport:
    return replace(
        report,
        resolution_p_value=two_proportion_p_value(report.resolution, control.resolution),
        csat_p_value=welch_p_value(report.csat, control.csat),
    )


def _arm(experiment: Experiment, version_id: int, name: str, is_control: bool, weight: int) -> ArmReport:
    conversations = Conversation.objects.filter(
        experiment=experiment, agent_version_id=version_id, human_only=False
    )
    per_conversation = conversations.annotate(
        draft_count=Count("drafts"),
        unanswered=Count("drafts", filter=~Q(drafts__decision="auto_send")),
        escalated=Count("drafts", filter=Q(drafts__decision="escalate")),
    ).values_list("pk", "draft_count", "unanswered", "escalated")
    with_drafts = [
        (pk, unanswered, escalated) for pk, count, unanswered, escalated in per_conversation if count
    ]
    decisions = ReviewDecision.objects.filter(draft__conversation__in=conversations)
    decided = decisions.count()
    costs: dict[int, Decimal] = defaultdict(Decimal)
    for conversation_id, cost in (
        AgentRun.objects.filter(message__conversation__in=conversations)
        .values_list("message__conversation_id")
        .annotate(total=Sum("cost"))
    ):
        costs[conversation_id] = cost or Decimal(0)
    latencies = AgentRun.objects.filter(
        message__conversation__in=conversations, draft__decision__in=["auto_send", "review"]
    ).values_list("latency_ms", flat=True)
    scores = ConversationRating.objects.filter(conversation__in=conversations).values_list("score", flat=True)
    return ArmReport(
        version=name,
        is_control=is_control,
        weight=weight,
        conversations=conversations.count(),
        resolution=Rate(sum(1 for _, unanswered, _ in with_drafts if not unanswered), len(with_drafts)),
        escalation=Rate(sum(1 for _, _, escalated in with_drafts if escalated), len(with_drafts)),
        approval=Rate(decisions.filter(action=ReviewDecision.Action.APPROVED).count(), decided),
        edit=Rate(decisions.filter(action=ReviewDecision.Action.EDITED).count(), decided),
        csat=Mean(tuple(float(s) for s in scores)),
        cost_per_conversation=Mean(tuple(float(costs[pk]) for pk, _, _ in with_drafts)),
        latency_ms=Mean(tuple(float(v) for v in latencies if v is not None)),
    )


def shown(reports: list[ArmReport]) -> list[dict[str, str]]:
    """Each arm's figures as text for a table: value, 95% interval, count; p-values against the control."""
    return [
        {
            "version": r.version + (" (control)" if r.is_control else ""),
            "weight": str(r.weight),
            "conversations": str(r.conversations),
            "resolution": _rate(r.resolution),
            "resolution_p": _p(r.resolution_p_value),
            "approval": _rate(r.approval),
            "edit": _rate(r.edit),
            "escalation": _rate(r.escalation),
            "csat": _mean(r.csat, "{:.2f}"),
            "csat_p": _p(r.csat_p_value),
            "cost": _mean(r.cost_per_conversation, "{:.6f}"),
            "latency": _mean(r.latency_ms, "{:.0f} ms"),
        }
        for r in reports
    ]


def _rate(rate: Rate) -> str:
    interval = rate.interval
    if interval is None or rate.value is None:
        return "–"
    return f"{rate.value:.1%} ({interval[0]:.1%}–{interval[1]:.1%}, n={rate.trials})"


def _mean(mean: Mean, form: str) -> str:
    if mean.value is None:
        return "–"
    interval = mean.interval
    spread = f" ({form.format(interval[0])}–{form.format(interval[1])})" if interval else ""
    return f"{form.format(mean.value)}{spread}, n={len(mean.values)}"


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return f"p={value:.3f}" + (" *" if value < 0.05 else "")
