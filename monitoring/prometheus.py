"""Counters and histograms in Prometheus' text format, computed from the database at scrape time, so every
web and worker process reports the same totals. Evaluation conversations are left out."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Sum

from agent.models import AgentRun, AgentStep, Conversation, Draft
from monitoring.figures import CACHE_HITS, live
from review.models import ReviewDecision

# Seconds; a step's latency falls in the first bucket it does not exceed.
LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def exposition() -> str:
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP supportagent_{name} {help_text}")
        lines.append(f"# TYPE supportagent_{name} {kind}")
        lines.extend(f"supportagent_{name}{labels} {_value(value)}" for labels, value in samples)

    conversations = live(Conversation.objects.all(), "").count()
    metric("conversations_total", "counter", "Conversations started.", [("", conversations)])

    drafts = live(Draft.objects.all(), "conversation__")
    by_decision = dict(drafts.values("decision").annotate(n=Count("id")).values_list("decision", "n"))
    metric(
        "drafts_total",
        "counter",
        "Customer messages answered by the agent, by decision.",
        [(f'{{decision="{d}"}}', by_decision.get(d, 0)) for d in ("auto_send", "review", "escalate")],
    )
    cache = Counter((signals or {}).get("cache", "") for signals in drafts.values_list("signals", flat=True))
    metric(
        "cache_lookups_total",
        "counter",
        "Response-cache lookups, by result.",
        [('{result="hit"}', sum(cache[k] for k in CACHE_HITS)), ('{result="miss"}', cache["miss"])],
    )

    decided = live(ReviewDecision.objects.all(), "draft__conversation__")
    by_action = dict(decided.values("action").annotate(n=Count("id")).values_list("action", "n"))
    metric(
        "review_decisions_total",
        "counter",
        "Reviewers' decisions on drafts, by action.",
        [(f'{{action="{a}"}}', by_action.get(a, 0)) for a in ReviewDecision.Action.values],
    )

    runs = live(AgentRun.objects.all(), "message__conversation__")
    totals = runs.aggregate(
        cost=Sum("cost"), prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens")
    )
    metric(
        "llm_cost_total", "counter", "LLM cost, in the price list's currency.", [("", totals["cost"] or 0)]
    )
    metric(
        "llm_tokens_total",
        "counter",
        "LLM tokens, by kind.",
        [('{kind="prompt"}', totals["prompt"] or 0), ('{kind="completion"}', totals["completion"] or 0)],
    )

    steps = live(AgentStep.objects.all(), "run__message__conversation__")
    calls: Counter[tuple[str, str]] = Counter()
    retries: Counter[str] = Counter()
    buckets: dict[str, list[int]] = defaultdict(lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    sums: Counter[str] = Counter()
    for node, latency_ms, tool_calls in steps.values_list("node", "latency_ms", "tool_calls").iterator():
        seconds = latency_ms / 1000
        counts = buckets[node]
        counts[
            next((i for i, edge in enumerate(LATENCY_BUCKETS) if seconds <= edge), len(LATENCY_BUCKETS))
        ] += 1
        sums[node] += seconds
        for call in tool_calls or []:
            calls[call["tool"], "ok" if call["ok"] else "failed"] += 1
            retries[call["tool"]] += max(call["attempts"] - 1, 0)
    metric(
        "tool_calls_total",
        "counter",
        "Tool calls, by tool and final outcome.",
        [(f'{{tool="{tool}",outcome="{outcome}"}}', n) for (tool, outcome), n in sorted(calls.items())],
    )
    metric(
        "tool_retries_total",
        "counter",
        "Tool call attempts beyond the first, by tool.",
        [(f'{{tool="{tool}"}}', n) for tool, n in sorted(retries.items())],
    )
    samples: list[tuple[str, float]] = []
    for node in sorted(buckets):
        cumulative = 0
        for edge, count in zip((*LATENCY_BUCKETS, "+Inf"), buckets[node], strict=True):
            cumulative += count
            samples.append((f'_bucket{{step="{node}",le="{edge}"}}', cumulative))
        samples.append((f'_sum{{step="{node}"}}', sums[node]))
        samples.append((f'_count{{step="{node}"}}', cumulative))
    lines.append("# HELP supportagent_step_latency_seconds Latency of pipeline steps.")
    lines.append("# TYPE supportagent_step_latency_seconds histogram")
    lines.extend(f"supportagent_step_latency_seconds{labels} {_value(v)}" for labels, v in samples)
    return "\n".join(lines) + "\n"


def _value(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else repr(number)
