"""Run-wide modes that code deep in the pipeline must respect, kept in a context variable (per thread)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_evaluating: ContextVar[bool] = ContextVar("evaluating", default=False)


@contextmanager
def evaluating() -> Iterator[None]:
    """Inside, the agent answers for an evaluation: the response cache is neither read nor written (the
    version is measured, not what production already knows) and tickets stay in the built-in table."""
    token = _evaluating.set(True)
    try:
        yield
    finally:
        _evaluating.reset(token)


def is_evaluating() -> bool:
    return _evaluating.get()
