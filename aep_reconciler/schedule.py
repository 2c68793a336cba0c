"""How often a recurring export runs: an ISO 8601 duration (``P1D``) or a 5-field cron line.

A duration says "again once the last export is this old"; a cron line says "again once one
of its times (UTC) has passed since the last export". Both answer the one question a plan
asks: when is the next export due after one made at ``last_ms``?
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cronsim import CronSim, CronSimError

from aep_reconciler.durations import describe, parse_iso

CRON_FIELDS = 5


@dataclass(frozen=True)
class Schedule:
    text: str  # as the manifest writes it
    period_s: float  # the duration; for cron, the gap between its first two times from now
    cron: bool = False

    def due_ms(self, last_ms: int) -> int:
        """When the export after one made at ``last_ms`` (platform clock) falls due."""
        if not self.cron:
            return last_ms + round(self.period_s * 1000)
        return _ms(next(CronSim(self.text, _dt(last_ms))))

    def describe(self) -> str:
        """``every 24 h`` or ``on cron '0 2 * * *'``, as a plan's reason says it."""
        return f"on cron '{self.text}'" if self.cron else f"every {describe(self.period_s)}"


def parse_schedule(text: str) -> Schedule:
    """The schedule ``text`` writes; ValueError naming what was expected if none."""
    raw = " ".join(text.split())
    if raw.upper().startswith("P"):
        return Schedule(raw, parse_iso(raw))
    if len(raw.split()) != CRON_FIELDS:
        raise ValueError(
            f"{text!r} is neither an ISO 8601 duration (P1D, PT6H) nor a cron expression of "
            "5 fields (minute hour day-of-month month day-of-week, e.g. '0 2 * * *')"
        )
    try:
        times = CronSim(raw, datetime(2000, 1, 1, tzinfo=UTC))
        first, second = next(times), next(times)
    except (CronSimError, StopIteration) as exc:
        raise ValueError(f"{text!r} is not a valid cron expression: {exc}") from None
    return Schedule(raw, (second - first).total_seconds(), cron=True)


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)
