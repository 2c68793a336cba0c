"""When and how long to wait before repeating a failed call: the retry policy as pure decisions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from aep_reconciler.backoff import Backoff

# 429 is the documented rate limit; the troubleshooting guide says heavy parallel use can
# answer 500s; 502/503/504 are gateway answers that never reached the service.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A repeated GET or DELETE has the same effect as one; a repeated POST can create twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


@dataclass
class RetryPolicy:
    """How often and for how long a call is repeated after a retryable failure."""

    max_attempts: int = 5  # including the first
    base_delay: float = 0.2  # seconds; doubles on each retry, capped by max_delay
    max_delay: float = 10.0
    deadline: float = 60.0  # seconds from the first attempt; no retry would end past it
    # Also repeat POSTs after a 5xx or no answer. Off: the applier resolves ambiguous creates
    # itself by looking for the object first (applier.recovery). The client always repeats
    # 429s (never processed) and PATCHes (they set fields).
    retry_unsafe: bool = False

    @property
    def backoff(self) -> Backoff:
        """Full jitter: parallel calls turned away together do not come back together."""
        return Backoff(base=self.base_delay, cap=self.max_delay)


def may_retry_method(method: str, policy: RetryPolicy, *, idempotent: bool = False) -> bool:
    """GET and DELETE always; others when the caller says they are idempotent, or the policy."""
    return idempotent or policy.retry_unsafe or method.upper() in IDEMPOTENT_METHODS


def is_retryable_status(status: int) -> bool:
    return status in RETRY_STATUSES


def _seconds(value: Any, scale: float = 1.0) -> float | None:
    try:
        seconds = float(value) / scale
    except (TypeError, ValueError):
        return None
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        return None
    return seconds


def _retry_after_header(value: str, now: float | None) -> float | None:
    seconds = _seconds(value.strip())
    if seconds is not None or now is None:
        return seconds
    try:  # the HTTP-date form of Retry-After
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - now)


def retry_hint(headers: Mapping[str, str], body: Any, *, now: float | None = None) -> float | None:
    """The wait the server asked for, in seconds: ``Retry-After`` or body ``retryAfterMs``.

    When both are given the longer wins; unreadable or negative hints are ignored. ``now``
    (epoch seconds) enables the HTTP-date form of Retry-After.
    """
    hints: list[float] = []
    header = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if header is not None:
        seconds = _retry_after_header(header, now)
        if seconds is not None:
            hints.append(seconds)
    if isinstance(body, Mapping) and "retryAfterMs" in body:
        seconds = _seconds(body["retryAfterMs"], 1000.0)
        if seconds is not None:
            hints.append(seconds)
    return max(hints) if hints else None


def within_budget(failures: int, elapsed: float, delay: float, policy: RetryPolicy) -> bool:
    """True when another attempt is allowed: attempts left, and the wait ends by the deadline."""
    return failures < policy.max_attempts and elapsed + delay <= policy.deadline
