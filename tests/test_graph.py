from dataclasses import dataclass

import pytest

from agent.graph import (
    END,
    GraphError,
    NodeFailed,
    RetryPolicy,
    StateGraph,
    StepBudgetExceeded,
    StepContext,
    StepRecord,
)


@dataclass(frozen=True)
class Counter:
    value: int = 0
    path: tuple[str, ...] = ()


def add_one(state: Counter, ctx: StepContext) -> dict:
    return {"value": state.value + 1, "path": (*state.path, "add_one")}


def double(state: Counter, ctx: StepContext) -> dict:
    ctx.record_usage(model="m", prompt_tokens=3, completion_tokens=2)
    return {"value": state.value * 2, "path": (*state.path, "double")}


def build(router=None):
    graph = StateGraph(Counter)
    graph.add_node("add_one", add_one, reads=("value",))
    graph.add_node("double", double)
    graph.set_entry_point("add_one")
    if router:
        graph.add_conditional_edges("add_one", router, ("double", END))
    else:
        graph.add_edge("add_one", "double")
    graph.add_edge("double", END)
    return graph


def test_it_runs_nodes_in_edge_order_and_records_each_step():
    records: list[StepRecord] = []
    final = build().compile().invoke(Counter(1), record=records.append)
    assert final == Counter(4, ("add_one", "double"))
    assert [r.node for r in records] == ["add_one", "double"]
    assert records[0].input_summary == {"value": 1}
    assert records[0].output_summary["value"] == 2
    assert records[1].usages[0].prompt_tokens == 3
    assert all(r.latency_ms >= 0 and r.attempts == 1 and not r.error for r in records)


def test_a_router_chooses_the_next_node():
    graph = build(router=lambda s: END if s.value > 5 else "double").compile()
    assert graph.invoke(Counter(10), record=lambda r: None).path == ("add_one",)
    assert graph.invoke(Counter(1), record=lambda r: None).path == ("add_one", "double")


def test_a_router_naming_an_undeclared_target_fails_the_run():
    graph = build(router=lambda s: "nowhere").compile()
    with pytest.raises(GraphError, match="nowhere"):
        graph.invoke(Counter(), record=lambda r: None)


def test_compile_refuses_an_edge_to_an_unknown_node():
    graph = StateGraph(Counter).add_node("a", add_one).set_entry_point("a").add_edge("a", "ghost")
    with pytest.raises(GraphError, match="unknown node 'ghost'"):
        graph.compile()


def test_compile_refuses_an_unreachable_node():
    graph = build()
    graph.add_node("orphan", add_one).add_edge("orphan", END)
    with pytest.raises(GraphError, match="unreachable"):
        graph.compile()


def test_compile_refuses_a_node_without_a_way_out():
    graph = StateGraph(Counter).add_node("a", add_one).set_entry_point("a")
    with pytest.raises(GraphError, match="no outgoing edge"):
        graph.compile()


def test_compile_refuses_a_graph_that_never_ends():
    graph = StateGraph(Counter).add_node("a", add_one).add_node("b", add_one).set_entry_point("a")
    graph.add_edge("a", "b").add_edge("b", "a")
    with pytest.raises(GraphError, match="no path reaches the end"):
        graph.compile()


def test_compile_refuses_an_unknown_entry_point():
    with pytest.raises(GraphError, match="entry point"):
        StateGraph(Counter).add_node("a", add_one).add_edge("a", END).set_entry_point("b").compile()


class Flaky:
    def __init__(self, failures: int, error: type[Exception] = TimeoutError) -> None:
        self.failures = failures
        self.calls = 0
        self.error = error

    def __call__(self, state: Counter, ctx: StepContext) -> dict:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error("endpoint timed out")
        return {"value": 99}


def flaky_graph(node: Flaky, policy: RetryPolicy):
    graph = StateGraph(Counter).add_node("call", node, retry=policy).set_entry_point("call")
    return graph.add_edge("call", END).compile()


POLICY = RetryPolicy(
    max_attempts=3, initial_interval=0.5, backoff_factor=2.0, jitter=False, retry_on=(TimeoutError,)
)


def test_a_retryable_error_is_retried_with_exponential_backoff():
    node, sleeps, records = Flaky(failures=2), [], []
    final = flaky_graph(node, POLICY).invoke(Counter(), record=records.append, sleep=sleeps.append)
    assert final.value == 99
    assert sleeps == [0.5, 1.0]
    assert records[0].attempts == 3 and not records[0].error


def test_it_gives_up_after_three_attempts_and_records_the_error():
    node, records = Flaky(failures=5), []
    with pytest.raises(NodeFailed) as failed:
        flaky_graph(node, POLICY).invoke(Counter(7), record=records.append, sleep=lambda s: None)
    assert node.calls == 3
    assert failed.value.node == "call" and failed.value.state == Counter(7)
    assert records[0].attempts == 3 and "endpoint timed out" in records[0].error


def test_a_non_retryable_error_is_not_retried():
    node = Flaky(failures=1, error=ValueError)
    with pytest.raises(NodeFailed):
        flaky_graph(node, POLICY).invoke(Counter(), record=lambda r: None, sleep=lambda s: None)
    assert node.calls == 1


def test_jittered_backoff_stays_within_half_and_full_delay():
    policy = RetryPolicy(initial_interval=0.5, backoff_factor=2.0, jitter=True)
    for attempt, full in [(1, 0.5), (2, 1.0), (3, 2.0)]:
        assert all(full / 2 <= policy.delay(attempt) <= full for _ in range(50))


def test_tokens_spent_on_a_failed_attempt_are_still_recorded():
    calls = []

    def spends_then_fails_once(state: Counter, ctx: StepContext) -> dict:
        ctx.record_usage(model="m", prompt_tokens=10, completion_tokens=5)
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("slow")
        return {"value": 1}

    records: list[StepRecord] = []
    flaky_graph(spends_then_fails_once, POLICY).invoke(Counter(), record=records.append, sleep=lambda s: None)
    assert [u.prompt_tokens for u in records[0].usages] == [10, 10]


def test_a_run_past_its_step_budget_is_stopped():
    from agent.graph import StepBudgetExceeded

    graph = StateGraph(Counter).add_node("again", add_one).set_entry_point("again")
    graph.add_conditional_edges("again", lambda s: END if s.value > 100 else "again", ("again", END))
    with pytest.raises(StepBudgetExceeded, match="more than 5 steps"):
        graph.compile().invoke(Counter(), record=lambda r: None, max_steps=5)


def test_a_run_stops_before_a_named_node_and_goes_on_from_it_later():
    graph = build().compile()
    first: list[StepRecord] = []
    state, next_node, steps = graph.run(Counter(1), record=first.append, stop_before=frozenset({"double"}))
    assert (state, next_node, steps) == (Counter(2, ("add_one",)), "double", 1)
    second: list[StepRecord] = []
    final, next_node, steps = graph.run(
        state, record=second.append, start="double", steps_taken=1, stop_before=frozenset({"double"})
    )
    assert (final, next_node, steps) == (Counter(4, ("add_one", "double")), END, 2)
    assert [r.node for r in first + second] == ["add_one", "double"]


def test_the_step_budget_covers_both_halves_of_a_run_that_stopped():
    graph = build().compile()
    state, _, steps = graph.run(Counter(1), record=lambda r: None, stop_before=frozenset({"double"}))
    with pytest.raises(StepBudgetExceeded):
        graph.run(state, record=lambda r: None, start="double", steps_taken=steps, max_steps=1)


def test_a_run_cannot_start_at_an_unknown_node():
    with pytest.raises(GraphError, match="unknown node"):
        build().compile().run(Counter(1), record=lambda r: None, start="triple")
