"""Runs a tool call: validate, then at most 3 attempts with backoff and jitter for retryable errors only,
honouring Retry-After; a circuit breaker per tool. Failures become results the LLM is told, not crashes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.graph import RetryPolicy
from agent.telemetry import span
from agent.tools.circuit import CircuitBreaker
from agent.tools.registry import ToolContext, ToolRefused, ToolRegistry

TOOL_RETRY = RetryPolicy(max_attempts=3, initial_interval=0.5, backoff_factor=2.0, max_interval=8.0)
# A server asking us to wait longer than this is treated as down for this call.
MAX_RETRY_AFTER_SECONDS = 30.0


class RetryableToolError(Exception):
    """A failure worth another attempt (timeout, 5xx, 429); `retry_after` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_retryable(error: Exception) -> bool:
    """Timeouts, lost connections and errors that declare themselves retryable (they carry `retry_after`)."""
    return isinstance(error, TimeoutError | ConnectionError) or hasattr(error, "retry_after")


@dataclass
class ToolResult:
    name: str
    ok: bool
    content: Any = None
    error: str = ""
    attempts: int = 0
    latency_ms: float = 0.0

    def for_llm(self) -> str:
        """What the LLM is told: the result, or what went wrong and that it must not pretend otherwise."""
        if self.ok:
            return json.dumps(self.content, ensure_ascii=False, default=str)
        return json.dumps(
            {"error": self.error, "advice": "The tool failed. Do not invent its result: say so, or escalate."}
        )


@dataclass
class ToolRunner:
    registry: ToolRegistry
    policy: RetryPolicy = TOOL_RETRY
    sleep: Callable[[float], None] = time.sleep
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def breaker(self, name: str) -> CircuitBreaker:
        with self._lock:
            return self.breakers.setdefault(name, CircuitBreaker())

    def call(self, name: str, arguments: str | dict[str, Any] | None, context: ToolContext) -> ToolResult:
        """Validate and run one tool call; never raises for a tool's own failure."""
        with span(f"tool {name}", tool=name) as current:
            result = self._call(name, arguments, context)
            current.set_attribute("ok", result.ok)
            current.set_attribute("attempts", result.attempts)
            return result

    def _call(self, name: str, arguments: str | dict[str, Any] | None, context: ToolContext) -> ToolResult:
        started = time.perf_counter()
        try:
            tool, values = self.registry.validate(name, arguments)
        except ToolRefused as refused:
            return ToolResult(name, ok=False, error=str(refused), latency_ms=_since(started))
        return self._attempts(name, lambda: tool.function(context, **values), started)

    def run(self, name: str, call: Callable[[], Any]) -> ToolResult:
        """Run a call that code (not the LLM) makes to the dependency behind tool `name`, with the same
        attempts, backoff and circuit breaker as the tool; never raises for the dependency's failure."""
        with span(f"tool {name}", tool=name) as current:
            result = self._attempts(name, call, time.perf_counter())
            current.set_attribute("ok", result.ok)
            current.set_attribute("attempts", result.attempts)
            return result

    def _attempts(self, name: str, call: Callable[[], Any], started: float) -> ToolResult:
        breaker = self.breaker(name)
        attempt = 0
        while True:
            if not breaker.allow():
                wait = breaker.seconds_until_retry()
                message = (
                    f"{name} is unavailable right now (too many recent failures); retry in {wait:.0f} s."
                )
                return ToolResult(name, ok=False, error=message, attempts=attempt, latency_ms=_since(started))
            attempt += 1
            try:
                content = call()
            except Exception as error:
                breaker.record_failure()
                retry_after = getattr(error, "retry_after", None)
                if is_retryable(error) and attempt < self.policy.max_attempts and not _too_long(retry_after):
                    self.sleep(retry_after if retry_after is not None else self.policy.delay(attempt))
                    continue
                failure = f"{type(error).__name__}: {error}"
                return ToolResult(name, ok=False, error=failure, attempts=attempt, latency_ms=_since(started))
            breaker.record_success()
            return ToolResult(name, ok=True, content=content, attempts=attempt, latency_ms=_since(started))


def _too_long(retry_after: float | None) -> bool:
    return retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
