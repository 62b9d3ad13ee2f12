"""Scenarios: what a customer says, turn by turn, and what must hold of the agent's handling of each turn.

They are YAML files (a list of scenarios each) checked when loaded: a typo in an expectation is an error with
the file and scenario named, never a check that silently passes.

    - id: card-arrival
      title: A new card has not arrived
      must_hold: true            # its failure fails the gate whatever the pass rate
      turns:
        - customer: My new card still hasn't arrived, when will it come?
          expect:
            intent: [card_arrival, card_delivery_estimate]   # one of
            decision: [auto_send, review]                    # one of: auto_send, review, escalate
            tools_called: [search_knowledge_base]
            tools_not_called: [escalate_to_human]
            contains: [working days]                         # each, case-insensitive, in the answer
            must_not_claim: [within 24 hours]                # none of these in the answer
            out_of_scope: false                              # the guard's verdict
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DECISIONS = ("auto_send", "review", "escalate")
EXPECTATION_KEYS = {
    "intent",
    "decision",
    "tools_called",
    "tools_not_called",
    "contains",
    "must_not_claim",
    "out_of_scope",
}


class ScenarioError(ValueError):
    """A scenario file that cannot be used as written."""


@dataclass(frozen=True)
class Expectation:
    intents: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    tools_called: tuple[str, ...] = ()
    tools_not_called: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    must_not_claim: tuple[str, ...] = ()
    out_of_scope: bool | None = None


@dataclass(frozen=True)
class Turn:
    customer: str
    expect: Expectation


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    turns: tuple[Turn, ...]
    must_hold: bool = False
    tags: tuple[str, ...] = field(default=())


def load_scenarios(path: Path) -> list[Scenario]:
    """Every scenario in `path` (a YAML file, or a folder of them, read in name order)."""
    files = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")) if path.is_dir() else [path]
    if not files:
        raise ScenarioError(f"{path}: no .yaml scenario files found")
    scenarios: list[Scenario] = []
    for file in files:
        scenarios.extend(_parse_file(file))
    seen: set[str] = set()
    for scenario in scenarios:
        if scenario.id in seen:
            raise ScenarioError(f"scenario id {scenario.id!r} is used twice")
        seen.add(scenario.id)
    return scenarios


def _parse_file(file: Path) -> list[Scenario]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ScenarioError(f"{file}: {error}") from None
    if not isinstance(data, list):
        raise ScenarioError(f"{file}: expected a list of scenarios")
    return [_scenario(file, index, item) for index, item in enumerate(data, 1)]


def _scenario(file: Path, index: int, item: Any) -> Scenario:
    where = f"{file}, scenario {index}"
    if not isinstance(item, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    unknown = set(item) - {"id", "title", "turns", "must_hold", "tags"}
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {sorted(unknown)}")
    scenario_id = item.get("id")
    if not isinstance(scenario_id, str) or not scenario_id.strip():
        raise ScenarioError(f"{where}: needs an id")
    where = f"{file}, scenario {scenario_id!r}"
    turns = item.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ScenarioError(f"{where}: needs at least one turn")
    return Scenario(
        id=scenario_id,
        title=str(item.get("title") or scenario_id),
        turns=tuple(_turn(f"{where}, turn {n}", turn) for n, turn in enumerate(turns, 1)),
        must_hold=bool(item.get("must_hold", False)),
        tags=tuple(_strings(where, "tags", item.get("tags", []))),
    )


def _turn(where: str, turn: Any) -> Turn:
    text = turn.get("customer") if isinstance(turn, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError(f"{where}: needs `customer:` text")
    expect = turn.get("expect") or {}
    if not isinstance(expect, dict):
        raise ScenarioError(f"{where}: `expect` must be a mapping")
    unknown = set(expect) - EXPECTATION_KEYS
    if unknown:
        raise ScenarioError(
            f"{where}: unknown expectations {sorted(unknown)}; known: {sorted(EXPECTATION_KEYS)}"
        )
    decisions = tuple(_strings(where, "decision", expect.get("decision", [])))
    wrong = [d for d in decisions if d not in DECISIONS]
    if wrong:
        raise ScenarioError(f"{where}: decision must be one of {', '.join(DECISIONS)}, not {wrong}")
    out_of_scope = expect.get("out_of_scope")
    if out_of_scope is not None and not isinstance(out_of_scope, bool):
        raise ScenarioError(f"{where}: out_of_scope must be true or false")
    return Turn(
        customer=text,
        expect=Expectation(
            intents=tuple(_strings(where, "intent", expect.get("intent", []))),
            decisions=decisions,
            tools_called=tuple(_strings(where, "tools_called", expect.get("tools_called", []))),
            tools_not_called=tuple(_strings(where, "tools_not_called", expect.get("tools_not_called", []))),
            contains=tuple(_strings(where, "contains", expect.get("contains", []))),
            must_not_claim=tuple(_strings(where, "must_not_claim", expect.get("must_not_claim", []))),
            out_of_scope=out_of_scope,
        ),
    )


def _strings(where: str, key: str, value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ScenarioError(f"{where}: {key} must be a string or a list of strings")
    return values
