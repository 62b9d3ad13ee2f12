"""A small explicit state graph: nodes are plain functions, edges are data, the runner traces every step.

Modelled on LangGraph's StateGraph: a node takes the state and returns a partial update; a router returns the
name of the next node; the graph is validated when compiled. The runner, not the nodes, measures latency,
records tokens and errors, and applies the retry policy.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from agent.telemetry import span

END = "__end__"

S = TypeVar("S")


@dataclass(frozen=True)
class RetryPolicy:
    """At most `max_attempts` tries; backoff grows ×`backoff_factor` from `initial_interval`, with jitter."""

    max_attempts: int = 3
    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    max_interval: float = 8.0
    jitter: bool = True
    retry_on: tuple[type[Exception], ...] = ()

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        base = min(self.initial_interval * self.backoff_factor ** (attempt - 1), self.max_interval)
        return base * random.uniform(0.5, 1.0) if self.jitter else base


NO_RETRY = RetryPolicy(max_attempts=1)


@dataclass
class Usage:
    model: str
    prompt_tokens: int
    completion_tokens: int


@dataclass
class StepContext:
    """Handed to a node for one step: it reports LLM usage here, and the runner records it."""

    usages: list[Usage] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)

    def record_usage(self, *, model: str, prompt_tokens: int, completion_tokens: int) -> None:
        self.usages.append(Usage(model, prompt_tokens, completion_tokens))

    def record_tool_call(
        self, *, tool: str, ok: bool, attempts: int, latency_ms: float, error: str = ""
    ) -> None:
        """A tool call the node made: how many attempts it took and, if it failed in the end, why."""
        call = {"tool": tool, "ok": ok, "attempts": attempts, "latency_ms": latency_ms}
        self.tool_calls.append({**call, "error": error} if error else call)

    def tool_errors(self) -> str:
        """The final failures of this step's tool calls, for the step's error column."""
        return "; ".join(f"{c['tool']}: {c['error']}" for c in self.tool_calls if not c["ok"])


@dataclass
class StepRecord:
    """What the runner measured of one step."""

    node: str
    latency_ms: float
    attempts: int
    input_summary: dict[str, Any]
    output_summary: dict[str, Any]
    usages: list[Usage]
    error: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


class StepRecorder(Protocol):
    def __call__(self, record: StepRecord) -> None: ...


Node = Callable[[Any, StepContext], Mapping[str, Any]]
Router = Callable[[Any], str]


class GraphError(Exception):
    """The graph is malformed (found when it is compiled) or a run went astray."""


class StepBudgetExceeded(GraphError):
    """A run went past its step budget."""


class NodeFailed(Exception):
    """A node raised on its last allowed attempt."""

    def __init__(self, node: str, error: Exception, state: Any) -> None:
        super().__init__(f"{node} failed: {type(error).__name__}: {error}")
        self.node = node
        self.error = error
        self.state = state


@dataclass(frozen=True)
class _NodeSpec:
    fn: Node
    retry: RetryPolicy
    reads: tuple[str, ...]


class StateGraph(Generic[S]):
    """Build a graph of nodes over a dataclass state, then `compile()` it into a runnable graph."""

    def __init__(self, state_type: type[S]) -> None:
        self.state_type = state_type
        self._nodes: dict[str, _NodeSpec] = {}
        self._edges: dict[str, str] = {}
        self._branches: dict[str, tuple[Router, tuple[str, ...]]] = {}
        self._entry: str | None = None

    def add_node(
        self, name: str, fn: Node, *, retry: RetryPolicy = NO_RETRY, reads: tuple[str, ...] = ()
    ) -> StateGraph[S]:
        """Add a node; `reads` names the state fields summarised as the step's input in the trace."""
        if name in self._nodes or name == END:
            raise GraphError(f"node {name!r} is defined twice or uses a reserved name")
        self._nodes[name] = _NodeSpec(fn, retry, reads)
        return self

    def add_edge(self, source: str, target: str) -> StateGraph[S]:
        self._check_source_free(source)
        self._edges[source] = target
        return self

    def add_conditional_edges(self, source: str, router: Router, targets: tuple[str, ...]) -> StateGraph[S]:
        """After `source`, go where `router(state)` says; it may only name one of `targets`."""
        self._check_source_free(source)
        self._branches[source] = (router, targets)
        return self

    def set_entry_point(self, name: str) -> StateGraph[S]:
        self._entry = name
        return self

    def compile(self) -> CompiledGraph[S]:
        """Validate: known nodes, every node has a way out, every node reachable, END reachable."""
        if self._entry not in self._nodes:
            raise GraphError(f"entry point {self._entry!r} is not a node")
        successors: dict[str, tuple[str, ...]] = {}
        for name in self._nodes:
            if name in self._edges:
                successors[name] = (self._edges[name],)
            elif name in self._branches:
                successors[name] = self._branches[name][1]
            else:
                raise GraphError(f"node {name!r} has no outgoing edge")
            for target in successors[name]:
                if target != END and target not in self._nodes:
                    raise GraphError(f"edge from {name!r} to unknown node {target!r}")
        reached = _reachable(self._entry, successors)
        unreachable = set(self._nodes) - reached
        if unreachable:
            raise GraphError(f"unreachable nodes: {sorted(unreachable)}")
        if END not in {t for name in reached for t in successors[name]}:
            raise GraphError("no path reaches the end")
        return CompiledGraph(
            self.state_type, dict(self._nodes), dict(self._edges), dict(self._branches), self._entry
        )

    def _check_source_free(self, source: str) -> None:
        if source in self._edges or source in self._branches:
            raise GraphError(f"node {source!r} already has an outgoing edge")


def _reachable(entry: str, successors: Mapping[str, tuple[str, ...]]) -> set[str]:
    seen: set[str] = set()
    stack = [entry]
    while stack:
        name = stack.pop()
        if name in seen or name == END:
            continue
        seen.add(name)
        stack.extend(successors[name])
    return seen


class CompiledGraph(Generic[S]):
    """A validated graph. `invoke` runs it from the entry point to END, recording every step."""

    max_steps = 25

    def __init__(
        self,
        state_type: type[S],
        nodes: dict[str, _NodeSpec],
        edges: dict[str, str],
        branches: dict[str, tuple[Router, tuple[str, ...]]],
        entry: str,
    ) -> None:
        self.state_type = state_type
        self.nodes = nodes
        self.edges = edges
        self.branches = branches
        self.entry = entry

    def invoke(
        self,
        state: S,
        *,
        record: StepRecorder,
        sleep: Callable[[float], None] = time.sleep,
        max_steps: int | None = None,
    ) -> S:
        """Run to END; return the final state. Raise NodeFailed (with the state so far) if a node fails, and
        StepBudgetExceeded past `max_steps`."""
        state, _, _ = self.run(state, record=record, sleep=sleep, max_steps=max_steps)
        return state

    def run(
        self,
        state: S,
        *,
        record: StepRecorder,
        start: str | None = None,
        stop_before: frozenset[str] = frozenset(),
        steps_taken: int = 0,
        sleep: Callable[[float], None] = time.sleep,
        max_steps: int | None = None,
    ) -> tuple[S, str, int]:
        """Run from `start` (the entry point by default) until END or a node of `stop_before` is next; return
        the state, the node to go on from (END when finished) and the steps taken so far. A run that stopped
        goes on later, maybe in another process, with `start=` that node and `steps_taken=` that count: the
        step budget covers the whole run."""
        current = start or self.entry
        if current not in self.nodes:
            raise GraphError(f"cannot start at unknown node {current!r}")
        budget = max_steps or self.max_steps
        steps = steps_taken
        while current != END:
            if steps > steps_taken and current in stop_before:
                break
            if steps == budget:
                raise StepBudgetExceeded(f"the run needed more than {budget} steps")
            state = self._run_step(current, state, record, sleep)
            current = self._next(current, state)
            steps += 1
        return state, current, steps

    def _run_step(self, name: str, state: S, record: StepRecorder, sleep: Callable[[float], None]) -> S:
        with span(f"agent.step {name}", node=name):
            return self._run_attempts(name, state, record, sleep)

    def _run_attempts(self, name: str, state: S, record: StepRecorder, sleep: Callable[[float], None]) -> S:
        spec = self.nodes[name]
        inputs = {key: summarise(getattr(state, key)) for key in spec.reads}
        # Tokens spent on failed attempts are still spent: every attempt reports into the same list.
        context = StepContext()
        started = time.perf_counter()
        attempt = 0

        def step(outputs: dict[str, Any], error: str) -> StepRecord:
            used, tools = context.usages, context.tool_calls
            return StepRecord(name, _elapsed_ms(started), attempt, inputs, outputs, used, error, tools)

        while True:
            attempt += 1
            try:
                update = dict(spec.fn(state, context))
                new_state = dataclasses.replace(state, **update)  # type: ignore[type-var]
            except Exception as error:
                if isinstance(error, spec.retry.retry_on) and attempt < spec.retry.max_attempts:
                    sleep(spec.retry.delay(attempt))
                    continue
                record(step({}, f"{type(error).__name__}: {error}"))
                raise NodeFailed(name, error, state) from error
            record(step({key: summarise(value) for key, value in update.items()}, context.tool_errors()))
            return new_state

    def _next(self, name: str, state: S) -> str:
        if name in self.edges:
            return self.edges[name]
        router, targets = self.branches[name]
        target = router(state)
        if target not in targets:
            raise GraphError(f"router after {name!r} chose {target!r}, not one of {targets}")
        return target


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def summarise(value: Any, limit: int = 300) -> Any:
    """A JSON-safe, bounded copy of a state value for the trace."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {str(k): summarise(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [summarise(v, limit) for v in value[:10]]
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)[:limit]
