"""Summaries of an evaluation: pass@1 and pass^k, the gate's verdict, and the JSON and HTML reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import median
from typing import Any

from django.template.loader import render_to_string

from evaluation.runner import RunResult


@dataclass(frozen=True)
class Summary:
    scenarios: int
    repeat: int
    pass_at_1: float  # mean share of passing runs per scenario: the chance one run passes
    pass_hat_k: float  # share of scenarios whose every one of the k runs passed
    must_hold_failed: tuple[str, ...]  # must-hold scenarios with at least one failing run
    cost: Decimal
    median_latency_ms: float


def summarise(results: dict[str, list[RunResult]]) -> Summary:
    runs = [run for scenario_runs in results.values() for run in scenario_runs]
    repeat = max((len(r) for r in results.values()), default=0)
    shares = [sum(run.passed for run in r) / len(r) for r in results.values() if r]
    every = [all(run.passed for run in r) for r in results.values() if r]
    must_hold_failed = tuple(
        scenario_id
        for scenario_id, r in results.items()
        if r and r[0].scenario.must_hold and not all(run.passed for run in r)
    )
    return Summary(
        scenarios=len(results),
        repeat=repeat,
        pass_at_1=sum(shares) / len(shares) if shares else 0.0,
        pass_hat_k=sum(every) / len(every) if every else 0.0,
        must_hold_failed=must_hold_failed,
        cost=sum((run.cost for run in runs), Decimal(0)),
        median_latency_ms=median(run.latency_ms for run in runs) if runs else 0.0,
    )


def gate_failures(summary: Summary, *, min_pass_rate: float) -> list[str]:
    """Why the gate refuses this version; empty when it passes. The pass rate gated is pass^k (pass@1 when
    each scenario runs once): a version must pass a scenario every time to count."""
    reasons = []
    if summary.pass_hat_k < min_pass_rate:
        reasons.append(
            f"pass^{summary.repeat} {summary.pass_hat_k:.1%} is below the gate of {min_pass_rate:.0%}"
        )
    if summary.must_hold_failed:
        reasons.append(f"must-hold scenarios failed: {', '.join(summary.must_hold_failed)}")
    return reasons


def report_data(
    results: dict[str, list[RunResult]], summary: Summary, *, version: str, gate: list[str], base_url: str
) -> dict[str, Any]:
    return {
        "version": version,
        "passed_gate": not gate,
        "gate_failures": gate,
        "summary": {
            "scenarios": summary.scenarios,
            "repeat": summary.repeat,
            "pass_at_1": round(summary.pass_at_1, 4),
            "pass_hat_k": round(summary.pass_hat_k, 4),
            "must_hold_failed": list(summary.must_hold_failed),
            "cost": f"{summary.cost:.6f}",
            "median_latency_ms": round(summary.median_latency_ms, 1),
        },
        "scenarios": [
            {
                "id": scenario_id,
                "title": runs[0].scenario.title,
                "must_hold": runs[0].scenario.must_hold,
                "passed_every_run": all(run.passed for run in runs),
                "runs": [
                    {
                        "passed": run.passed,
                        "why": run.failures,
                        "cost": f"{run.cost:.6f}",
                        "latency_ms": round(run.latency_ms, 1),
                        "turns": [
                            {
                                "customer": turn.customer,
                                "intent": turn.intent,
                                "decision": turn.decision,
                                "tools": turn.tools,
                                "answer": turn.answer,
                                "trace": f"{base_url}{turn.trace_url}",
                            }
                            for turn in run.turns
                        ],
                    }
                    for run in runs
                ],
            }
            for scenario_id, runs in results.items()
        ],
    }


def write_reports(data: dict[str, Any], directory: Path, stem: str) -> tuple[Path, Path]:
    """`<stem>.json` and `<stem>.html` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, html_path = directory / f"{stem}.json", directory / f"{stem}.html"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(render_to_string("evaluation/report.html", {"report": data}), encoding="utf-8")
    return json_path, html_path
