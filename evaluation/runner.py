"""Run scenarios against an agent version, turn by turn, through the real pipeline, and check each turn.

An evaluation must measure the version, not what production already knows, and must not reach customers'
systems: while it runs, the response cache is neither read nor written and hand-over tickets go to the
built-in ticket table (see `agent.context.evaluating`). Its conversations belong to customers whose external
id starts with `evaluation-`, so that dashboards can leave them out.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from agent.context import evaluating
from agent.models import AgentVersion, Conversation, Customer, Draft
from agent.pipeline import run_agent
from agent.services import store_customer_message
from evaluation.scenarios import Expectation, Scenario

EVALUATION_CUSTOMER_PREFIX = "evaluation-"


@dataclass
class TurnResult:
    customer: str
    draft_id: int
    intent: str
    decision: str
    answer: str
    out_of_scope: bool
    tools: list[str]
    cost: Decimal
    latency_ms: float
    failures: list[str] = field(default_factory=list)

    @property
    def trace_url(self) -> str:
        return reverse("review:draft", args=[self.draft_id])


@dataclass
class RunResult:
    scenario: Scenario
    turns: list[TurnResult]

    @property
    def passed(self) -> bool:
        return all(not turn.failures for turn in self.turns)

    @property
    def failures(self) -> list[str]:
        return [f"turn {n}: {failure}" for n, turn in enumerate(self.turns, 1) for failure in turn.failures]

    @property
    def cost(self) -> Decimal:
        return sum((turn.cost for turn in self.turns), Decimal(0))

    @property
    def latency_ms(self) -> float:
        return sum(turn.latency_ms for turn in self.turns)


def run_scenario(scenario: Scenario, version: AgentVersion) -> RunResult:
    """One run of `scenario`: a new conversation on `version`, every turn answered and checked."""
    customer = Customer.objects.create(external_id=f"{EVALUATION_CUSTOMER_PREFIX}{secrets.token_hex(8)}")
    conversation = Conversation.objects.create(customer=customer, agent_version=version)
    turns = []
    with evaluating():
        for turn in scenario.turns:
            message = store_customer_message(conversation=conversation, text=turn.customer)
            started = time.perf_counter()
            draft = run_agent(message=message)
            turns.append(_observed(turn.customer, draft, (time.perf_counter() - started) * 1000))
            turns[-1].failures = check(turn.expect, turns[-1])
    return RunResult(scenario, turns)


def run_all(
    scenarios: list[Scenario],
    version: AgentVersion,
    *,
    repeat: int = 1,
    progress: Callable[[int, int, RunResult], None] = lambda done, total, result: None,
) -> dict[str, list[RunResult]]:
    """Every scenario `repeat` times; results by scenario id, in the scenarios' order."""
    results: dict[str, list[RunResult]] = {scenario.id: [] for scenario in scenarios}
    total, done = len(scenarios) * repeat, 0
    for scenario in scenarios:
        for _ in range(repeat):
            result = run_scenario(scenario, version)
            results[scenario.id].append(result)
            done += 1
            progress(done, total, result)
    return results


def _observed(customer: str, draft: Draft, latency_ms: float) -> TurnResult:
    run = draft.run
    tools = [call["tool"] for step in run.steps.all() for call in step.tool_calls]
    return TurnResult(
        customer=customer,
        draft_id=draft.pk,
        intent=draft.intent,
        decision=draft.decision,
        answer=draft.text,
        out_of_scope=not (run.final_state or {}).get("in_scope", True),
        tools=tools,
        cost=run.cost,
        latency_ms=round(latency_ms, 1),
    )


def check(expect: Expectation, turn: TurnResult) -> list[str]:
    """What did not hold, in words; empty when the turn passed."""
    failures = []
    if expect.intents and turn.intent not in expect.intents:
        failures.append(f"intent {turn.intent or '(none)'} is not {' or '.join(expect.intents)}")
    if expect.decisions and turn.decision not in expect.decisions:
        failures.append(f"decision {turn.decision} is not {' or '.join(expect.decisions)}")
    if expect.out_of_scope is not None and turn.out_of_scope != expect.out_of_scope:
        failures.append("not refused as out of scope" if expect.out_of_scope else "refused as out of scope")
    for tool in expect.tools_called:
        if tool not in turn.tools:
            failures.append(f"{tool} was not called")
    for tool in expect.tools_not_called:
        if tool in turn.tools:
            failures.append(f"{tool} was called")
    answer = turn.answer.casefold()
    for fact in expect.contains:
        if fact.casefold() not in answer:
            failures.append(f"the answer does not say {fact!r}")
    for claim in expect.must_not_claim:
        if claim.casefold() in answer:
            failures.append(f"the answer claims {claim!r}")
    return failures
