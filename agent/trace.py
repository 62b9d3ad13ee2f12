"""A stored run, step by step, for people (`ask`, the review page) and for scripts (JSON)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.models import Draft, KnowledgeArticle


def trace_json(draft: Draft) -> dict[str, Any]:
    run = draft.run
    state = run.final_state or {}
    withheld_ids = state.get("withheld_article_ids") or []
    titles = dict(KnowledgeArticle.objects.filter(pk__in=withheld_ids).values_list("pk", "title"))
    return {
        "question": draft.message.masked_text,
        "in_scope": state.get("in_scope"),
        "scope_score": state.get("scope_score"),
        "intent": draft.intent,
        "intent_confidence": state.get("intent_confidence"),
        "retrieved": [
            {"article_id": p["article_id"], "title": p["title"], "intent": p["intent"], "score": p["score"]}
            for p in state.get("passages", [])
        ],
        # found, but read as instructions to the assistant: kept from the LLM (deleted since: no title)
        "withheld": [{"article_id": pk, "title": titles.get(pk, "")} for pk in withheld_ids],
        "draft": draft.text,
        "confidence": draft.confidence,
        "signals": draft.signals,
        "decision": draft.decision,
        "reason": draft.reason,
        "status": draft.status,
        "ticket": draft.ticket_reference or None,
        "run": {
            "id": run.pk,
            "status": run.status,
            "latency_ms": round(run.latency_ms or 0, 1),
            "prompt_tokens": run.prompt_tokens,
            "completion_tokens": run.completion_tokens,
            "cost": money(run.cost),
            "error": run.error,
        },
        "steps": [
            {
                "node": step.node,
                "latency_ms": round(step.latency_ms, 2),
                "attempts": step.attempts,
                "prompt_tokens": step.prompt_tokens,
                "completion_tokens": step.completion_tokens,
                "cost": money(step.cost),
                "output": step.output_summary,
                "tool_calls": step.tool_calls,
                "error": step.error,
            }
            for step in run.steps.all()
        ],
    }


def format_trace(draft: Draft) -> dict[str, Any]:
    """{"json": the trace as data, "text": the same for a terminal}."""
    data = trace_json(draft)
    lines = [f"Question:   {data['question']}"]
    scope = "in scope" if data["in_scope"] else "OUT OF SCOPE"
    lines.append(f"Guard:      {scope} (p={_num(data['scope_score'])})")
    if data["intent"]:
        lines.append(f"Route:      {data['intent']} (p={_num(data['intent_confidence'])})")
    for hit in data["retrieved"]:
        lines.append(f"Retrieved:  [{hit['score']:.3f}] {hit['title']} ({hit['intent'] or 'no intent'})")
    for hit in data["withheld"]:
        title = hit["title"] or "a deleted article"
        lines.append(f"Withheld:   {title} (reads as instructions to the assistant)")
    if data["draft"]:
        lines.append("Draft:")
        lines.extend(f"  {line}" for line in data["draft"].splitlines())
    lines.append(f"Confidence: {data['confidence']:.3f}  {data['signals']}")
    lines.append(f"Decision:   {data['decision']} — {data['reason']}")
    if data["ticket"]:
        lines.append(f"Ticket:     {data['ticket']}")
    run = data["run"]
    lines.append(
        f"Trace:      run {run['id']} {run['status']} in {run['latency_ms']} ms, "
        f"{run['prompt_tokens']}+{run['completion_tokens']} tokens, cost {run['cost']}"
    )
    for i, step in enumerate(data["steps"], 1):
        tokens = (
            f" {step['prompt_tokens']}+{step['completion_tokens']} tokens" if step["prompt_tokens"] else ""
        )
        retry = f" after {step['attempts']} attempts" if step["attempts"] > 1 else ""
        error = f" ERROR {step['error']}" if step["error"] else ""
        lines.append(f"  {i}. {step['node']:<9} {step['latency_ms']:>9.2f} ms{tokens}{retry}{error}")
        for call in step["tool_calls"]:
            outcome = "ok" if call["ok"] else f"FAILED {call.get('error', '')}"
            lines.append(f"       tool {call['tool']}: {outcome} ({call['attempts']} attempts)")
    return {"json": data, "text": "\n".join(lines)}


def money(amount: Decimal) -> str:
    """A cost in the price list's currency, to the millionth: small enough for one step, never '0E-10'."""
    return f"{amount:.6f}"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:.3f}"
