import json

import pytest

from agent.tools.circuit import CircuitBreaker
from agent.tools.registry import ToolContext, ToolRegistry
from agent.tools.runner import RetryableToolError, ToolRunner


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Dependency:
    """A downstream service that fails a scripted number of times, with a given error."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> dict:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return {"answer": 42}


def runner_for(dependency: Dependency) -> tuple[ToolRunner, list[float]]:
    registry = ToolRegistry()

    def ask_service(context: ToolContext, *, question: str) -> dict:
        """Ask the downstream service."""
        return dependency()

    registry.register(ask_service)
    sleeps: list[float] = []
    return ToolRunner(registry, sleep=sleeps.append), sleeps


CONTEXT = ToolContext(customer=None)  # type: ignore[arg-type]


def test_a_tool_failing_twice_then_succeeding_takes_three_attempts():
    runner, sleeps = runner_for(Dependency(2, TimeoutError("slow")))
    result = runner.call("ask_service", '{"question": "q"}', CONTEXT)
    assert result.ok and result.content == {"answer": 42} and result.attempts == 3
    assert len(sleeps) == 2 and 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_retry_after_is_honoured():
    runner, sleeps = runner_for(Dependency(1, RetryableToolError("429", retry_after=7.0)))
    assert runner.call("ask_service", {"question": "q"}, CONTEXT).ok
    assert sleeps == [7.0]


def test_a_tool_that_always_fails_stops_after_three_attempts_and_the_llm_is_told():
    dependency = Dependency(99, ConnectionError("connection refused"))
    runner, _ = runner_for(dependency)
    result = runner.call("ask_service", {"question": "q"}, CONTEXT)
    assert not result.ok and result.attempts == 3 and dependency.calls == 3
    told = json.loads(result.for_llm())
    assert "connection refused" in told["error"] and "Do not invent" in told["advice"]


def test_a_permanent_error_is_not_retried():
    dependency = Dependency(1, ValueError("bad request"))
    runner, sleeps = runner_for(dependency)
    result = runner.call("ask_service", {"question": "q"}, CONTEXT)
    assert not result.ok and dependency.calls == 1 and sleeps == []


def test_a_retry_after_longer_than_we_wait_ends_the_call():
    dependency = Dependency(1, RetryableToolError("429", retry_after=3600))
    runner, sleeps = runner_for(dependency)
    assert not runner.call("ask_service", {"question": "q"}, CONTEXT).ok
    assert dependency.calls == 1 and sleeps == []


def test_invalid_arguments_never_reach_the_tool():
    dependency = Dependency(0, TimeoutError())
    runner, _ = runner_for(dependency)
    result = runner.call("ask_service", {"question": 3}, CONTEXT)
    assert not result.ok and "question must be a string" in result.error and dependency.calls == 0


def test_the_circuit_opens_after_repeated_failures_and_stops_calling():
    dependency = Dependency(99, TimeoutError("down"))
    runner, _ = runner_for(dependency)
    clock = Clock()
    runner.breakers["ask_service"] = CircuitBreaker(failure_threshold=5, reset_seconds=30, clock=clock)
    runner.call("ask_service", {"question": "q"}, CONTEXT)
    runner.call("ask_service", {"question": "q"}, CONTEXT)
    calls_when_opened = dependency.calls
    result = runner.call("ask_service", {"question": "q"}, CONTEXT)
    assert calls_when_opened == 5 and dependency.calls == 5
    assert not result.ok and "unavailable right now" in result.error


def test_after_the_cool_down_one_successful_trial_closes_the_circuit():
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=30, clock=(clock := Clock()))
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    clock.now = 31
    assert breaker.state == "half-open"
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()


def test_a_failed_trial_opens_the_circuit_again():
    breaker = CircuitBreaker(failure_threshold=2, reset_seconds=30, clock=(clock := Clock()))
    breaker.record_failure()
    breaker.record_failure()
    clock.now = 31
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open" and breaker.seconds_until_retry() == pytest.approx(30)
