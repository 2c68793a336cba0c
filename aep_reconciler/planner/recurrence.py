"""When a declaration's next job falls due: a recurring export, or a retry after failures (pure).

Time is the platform's (``LiveState.now_ms``, read from its answers), the clock that stamped
the jobs' ``creationTime``. An unknown time (None) counts as "due": nothing waits on it.

A job that FAILED is tried again at once the first time; each further failure of the same
request in a row doubles the wait, up to the schedule's period (a recurring export) or a
day (a one-shot one), so a request that cannot succeed costs a few jobs a day, not one per
apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aep_reconciler.backoff import Backoff
from aep_reconciler.durations import describe
from aep_reconciler.live import LiveJob
from aep_reconciler.schedule import Schedule

RETRY_BASE_S = 300.0  # the wait after the second failure in a row; it doubles after each
ONE_SHOT_RETRY_CAP_S = 86_400.0  # the longest wait between tries of a one-shot export


@dataclass(frozen=True)
class Retry:
    """The FAILED jobs at the head of a declaration's history, and when to try again."""

    latest: LiveJob  # the newest FAILED job
    failures: int  # FAILED in a row, newest first, before anything else
    due_ms: int  # when the next try may be created (platform clock)
    wait_s: float  # the wait the failures earned, from the latest one's creation


def failed_in_a_row(jobs: Sequence[LiveJob]) -> int:
    """How many of ``jobs`` (newest first) FAILED before one that did not."""
    count = 0
    for job in jobs:
        if job.status != "FAILED":
            break
        count += 1
    return count


def retry_wait(failures: int, schedule: Schedule | None) -> float:
    """Seconds to wait after ``failures`` FAILED jobs in a row: 0 after the first."""
    if failures < 2:
        return 0.0
    cap = schedule.period_s if schedule is not None else ONE_SHOT_RETRY_CAP_S
    return Backoff(base=RETRY_BASE_S, cap=cap, floor=1.0).delay(failures - 1)


def retry(jobs: Sequence[LiveJob], schedule: Schedule | None, not_before: int = 0) -> Retry:
    """The retry of ``jobs`` (newest first, the first one FAILED); ``not_before`` is when
    the export falls due anyway (a recurring one waits for its schedule too)."""
    failures = failed_in_a_row(jobs)
    latest = jobs[0]
    wait = retry_wait(failures, schedule)
    due = max(latest.creation_time + round(wait * 1000), not_before)
    return Retry(latest, failures, due, wait)


# The platform's time comes from HTTP Date headers, whole seconds rounded down: a job created
# 300 ms ago can carry a creationTime later than that "now". Within this much, due is due.
CLOCK_RESOLUTION_MS = 1000


def is_due(due_ms: int, now_ms: int | None) -> bool:
    return now_ms is None or now_ms + CLOCK_RESOLUTION_MS > due_ms


def ago(now_ms: int | None, then_ms: int) -> str:
    """``26 h ago`` on the platform clock ("" when the time is unknown)."""
    return "" if now_ms is None else f"{describe(max(now_ms - then_ms, 0) / 1000)} ago"


def due_in(now_ms: int | None, due_ms: int) -> str:
    """``in 21 h (at 2024-05-02T02:00:00Z)``."""
    at = datetime.fromtimestamp(due_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if now_ms is None:
        return f"at {at}"
    return f"in {describe(max(due_ms - now_ms, 0) / 1000)} (at {at})"
