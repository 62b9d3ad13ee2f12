"""Configuration every run reads — intent policies, model prices, the confidence calibration, the default
agent version, the active experiment — kept in the process for AGENT_CONFIG_TTL_SECONDS instead of read
from the database per run.

A change saved in this process (admin, review services) clears it at once; another worker process sees it
within the time-to-live. Values are shared between runs: treat them as read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")


class ConfigCache:
    def __init__(self) -> None:
        self._values: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, load: Callable[[], T]) -> T:
        """The value kept under `name`, loaded again once it is older than the time-to-live."""
        now = time.monotonic()
        kept = self._values.get(name)
        if kept is not None and now - kept[0] < settings.AGENT_CONFIG_TTL_SECONDS:
            value: T = kept[1]
            return value
        value = load()
        with self._lock:
            self._values[name] = (now, value)
        return value

    def clear(self, *args: Any, **kwargs: Any) -> None:
        """Forget every value (also usable as a signal receiver)."""
        with self._lock:
            self._values.clear()


config = ConfigCache()


def clear_on_changes() -> None:
    """Clear the cache whenever a row it is read from is saved or deleted in this process."""
    from agent import models

    kept = (
        models.AgentVersion,
        models.ConfidenceCalibration,
        models.Experiment,
        models.ExperimentArm,
        models.LanguageModel,
        models.ThresholdPolicy,
    )
    for model in kept:
        post_save.connect(config.clear, sender=model, dispatch_uid=f"config-{model.__name__}-save")
        post_delete.connect(config.clear, sender=model, dispatch_uid=f"config-{model.__name__}-delete")
