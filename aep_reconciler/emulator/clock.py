"""Clocks the platform reads time from: the system clock, or a manual one tests advance."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that only moves when told to, so lifecycle tests need no sleeping."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self._now_ms = int(start_ms)

    def now_ms(self) -> int:
        return self._now_ms

    def advance(self, seconds: float) -> int:
        """Move forward by ``seconds`` (never backwards) and return the new time in ms."""
        if seconds < 0:
            raise ValueError("a ManualClock never goes backwards")
        self._now_ms += round(seconds * 1000)
        return self._now_ms

    def __repr__(self) -> str:
        return f"ManualClock(start_ms={self._now_ms})"
