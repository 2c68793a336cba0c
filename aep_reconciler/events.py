"""What the applier reports as it runs, as plain data: Outcome, Event, ApplyResult.

The applier emits them; ``render.events`` prints them (cli-utils' apply/event and printers).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from aep_reconciler.plan import Change


class Outcome(enum.Enum):
    STARTED = "started"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Event:
    outcome: Outcome
    change: Change
    message: str = ""
    id: str | None = None  # the object created or acted on


@dataclass
class ApplyResult:
    events: list[Event] = field(default_factory=list)
    created_jobs: list[str] = field(default_factory=list)
    cancelled_jobs: list[str] = field(default_factory=list)  # cancels the platform accepted

    def finished(self) -> list[Event]:
        return [e for e in self.events if e.outcome is not Outcome.STARTED]

    @property
    def failed(self) -> list[Event]:
        return [e for e in self.events if e.outcome in (Outcome.FAILED, Outcome.SKIPPED)]
