"""How long to wait before trying again: capped exponential backoff with jitter, or a hint.

One policy for every retry loop: the client repeating a call, create recovery looking for
an object whose create lost its answer, and the lease waiting for another apply. Jitter
keeps many waiters (parallel calls, concurrent applies) from retrying in lockstep.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float = 0.2  # seconds: the longest first wait; it doubles with each failure
    cap: float = 10.0  # no computed wait is longer (a hint may be)
    # The share of each wait jitter never takes away: 0 is "full jitter" (any wait from 0),
    # 0.5 keeps at least half, for loops that must give the platform time between looks.
    floor: float = 0.0

    def delay(
        self,
        failures: int,
        *,
        hint: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """The wait after ``failures`` failed attempts (>= 1); a hint (the server's) wins."""
        if hint is not None:
            return hint
        exponent = min(max(failures - 1, 0), 60)  # 2**60 * base is past any cap: no overflow
        ceiling = min(self.cap, self.base * 2.0**exponent)
        return ceiling * (self.floor + (1.0 - self.floor) * rand())
