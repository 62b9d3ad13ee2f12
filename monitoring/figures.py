"""The numbers the dashboard and /metrics show, read from what the pipeline and the review queue store.

Conversations of evaluation customers (`evaluation-…`) are left out: they are not traffic.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from agent.models import AgentRun, AgentStep, Conversation, Draft
from agent.policies import policy_for
from evaluation.runner import EVALUATION_CUSTOMER_PREFIX
from review.models import EvaluationCase, ReviewDecision

DECISIONS = ("auto_send", "review", "escalate")
CACHE_HITS = ("exact", "semantic")
T = TypeVar("T")


def live(queryset: QuerySet, path: str) -> QuerySet:  # type: ignore[type-arg]
    """`queryset` without the rows of evaluation customers; `path` leads to the conversation."""
    return queryset.exclude(**{f"{path}customer__external_id__startswith": EVALUATION_CUSTOMER_PREFIX})


@dataclass
class ToolFigures:
    calls: int = 0
    failures: int = 0
    retries: int = 0  # attempts beyond the first


@dataclass
class Figures:
    days: list[date]
    conversations: list[int]
    decisions: dict[str, list[int]]
    cost: list[Decimal]
    cache_hit_rate: list[float | None]
    approval_rate: list[float | None]
    auto_send_precision: list[float | None]
    tools: dict[str, ToolFigures] = field(default_factory=dict)
    step_latency: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # p50, p95, n
    resolved: int = 0
    total_cost: Decimal = Decimal(0)

    @property
    def cost_per_resolved(self) -> Decimal | None:
        return self.total_cost / self.resolved if self.resolved else None


def figures(days: int = 14) -> Figures:
    today = timezone.localdate()
    span = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    since = timezone.now() - timedelta(days=days)
    index = {day: i for i, day in enumerate(span)}

    started = live(Conversation.objects.filter(created_at__gte=since), "")
    conversations = _daily(started, "created_at", Count("id"), index, 0)

    drafts = live(Draft.objects.filter(created_at__gte=since), "conversation__")
    decisions = {decision: [0] * days for decision in DECISIONS}
    hits, lookups = [0] * days, [0] * days
    resolved = 0
    for day, decision, signals in drafts.annotate(day=TruncDate("created_at")).values_list(
        "day", "decision", "signals"
    ):
        i = index.get(day)
        if i is None:
            continue
        decisions.get(decision, [0] * days)[i] += 1
        resolved += decision == "auto_send"
        cache = (signals or {}).get("cache")
        if cache:
            lookups[i] += 1
            hits[i] += cache in CACHE_HITS

    runs = live(AgentRun.objects.filter(started_at__gte=since), "message__conversation__")
    cost = _daily(runs, "started_at", Sum("cost"), index, Decimal(0))

    reviewed = live(ReviewDecision.objects.filter(decided_at__gte=since), "draft__conversation__")
    approved, decided = [0] * days, [0] * days
    for day, action in reviewed.annotate(day=TruncDate("decided_at")).values_list("day", "action"):
        if day in index:
            decided[index[day]] += 1
            approved[index[day]] += action == ReviewDecision.Action.APPROVED

    precise, above = [0] * days, [0] * days
    cases = EvaluationCase.objects.filter(created_at__gte=since)
    for day, intent, confidence, label in cases.annotate(day=TruncDate("created_at")).values_list(
        "day", "intent", "confidence", "label"
    ):
        i = index.get(day)
        if i is not None and confidence >= policy_for(intent).auto_send_threshold:
            above[i] += 1
            precise[i] += label == EvaluationCase.Label.APPROVED

    result = Figures(
        days=span,
        conversations=conversations,
        decisions=decisions,
        cost=cost,
        cache_hit_rate=[h / n if n else None for h, n in zip(hits, lookups, strict=True)],
        approval_rate=[a / n if n else None for a, n in zip(approved, decided, strict=True)],
        auto_send_precision=[p / n if n else None for p, n in zip(precise, above, strict=True)],
        resolved=resolved,
        total_cost=sum(cost, Decimal(0)),
    )
    steps = live(AgentStep.objects.filter(run__started_at__gte=since), "run__message__conversation__")
    result.tools, result.step_latency = _steps(steps)
    return result


def _daily(rows: QuerySet, field: str, aggregate: Any, index: dict[date, int], zero: T) -> list[T]:  # type: ignore[type-arg]
    """`aggregate` of `rows` per day of `field`, one value per day of `index` (`zero` where none)."""
    values = [zero] * len(index)
    grouped = rows.annotate(day=TruncDate(field)).values("day").annotate(value=aggregate)
    for day, value in grouped.values_list("day", "value"):
        if day in index:
            values[index[day]] = value or zero
    return values


def _steps(steps: QuerySet) -> tuple[dict[str, ToolFigures], dict[str, tuple[float, float, int]]]:  # type: ignore[type-arg]
    tools: dict[str, ToolFigures] = defaultdict(ToolFigures)
    latencies: dict[str, list[float]] = defaultdict(list)
    for node, latency, calls in steps.values_list("node", "latency_ms", "tool_calls").iterator():
        latencies[node].append(latency)
        for call in calls or []:
            figures = tools[call["tool"]]
            figures.calls += 1
            figures.failures += not call["ok"]
            figures.retries += max(call["attempts"] - 1, 0)
    return dict(sorted(tools.items())), {node: percentiles(values) for node, values in latencies.items()}


def percentiles(values: list[float]) -> tuple[float, float, int]:
    """(p50, p95, n) of `values`; with one value, that value twice."""
    if len(values) == 1:
        return values[0], values[0], 1
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values), cuts[18], len(values)
