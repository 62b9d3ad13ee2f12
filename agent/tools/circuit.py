"""A per-tool circuit breaker: after repeated failures, stop calling a dead dependency for a while."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CircuitBreaker:
    """Closed → open after `failure_threshold` consecutive failures; after `reset_seconds` one trial call is
    let through (half-open): success closes the circuit, failure opens it again."""

    failure_threshold: int = 5
    reset_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    _trial_running: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.reset_seconds else "open"

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one trial at a time."""
        with self._lock:
            state = self.state
            if state == "closed":
                return True
            if state == "half-open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self.failures = 0
            self.opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1
            if self._trial_running or self.failures >= self.failure_threshold:
                self.opened_at = self.clock()
            self._trial_running = False

    def seconds_until_retry(self) -> float:
        if self.opened_at is None:
            return 0.0
        return max(self.reset_seconds - (self.clock() - self.opened_at), 0.0)
