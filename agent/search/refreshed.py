"""An index kept in memory and rebuilt from the database when what it was built from changes: the shared
mechanism of the embedded backend's lexical and dense halves."""

from __future__ import annotations

import abc
import threading
import time
from typing import Generic, TypeVar

# How often a process asks the database whether its indexes are behind: an edit made in another process
# reaches search within this time; one made in this process clears the index at once.
CHECK_SECONDS = 2.0

Index = TypeVar("Index")


class RefreshedIndex(abc.ABC, Generic[Index]):
    """Built on first use; its `signature` (a cheap aggregate of its rows) read again at most every
    CHECK_SECONDS, and the index rebuilt when the signature changed. One build at a time per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signature: tuple[object, ...] | None = None
        self._checked_at = 0.0
        self._index: Index | None = None

    def clear(self) -> None:
        """Check the rows again at the next use (and rebuild if they changed)."""
        with self._lock:
            self._signature, self._checked_at = None, 0.0

    def current(self) -> Index:
        """The index, rebuilt first if its rows changed since it was built."""
        now = time.monotonic()
        with self._lock:
            index = self._index
            recent = self._signature is not None and now - self._checked_at < CHECK_SECONDS
            if index is not None and recent and self.fits(index):
                return index
            signature = self.signature()
            self._checked_at = now
            if index is None or signature != self._signature:
                index = self._index = self.build(index)
                self._signature = signature
            return index

    def fits(self, index: Index) -> bool:
        """Whether `index` still suits the settings (checked on every use; the rows only now and then)."""
        return True

    @abc.abstractmethod
    def signature(self) -> tuple[object, ...]:
        """What changes whenever the rows the index is built from change."""

    @abc.abstractmethod
    def build(self, previous: Index | None) -> Index:
        """The index of the rows as they are now; `previous` may lend it work already done."""
