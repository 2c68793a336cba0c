"""Apply-time code: the executor of a plan, create recovery, the stack lease, the job waiter."""

from __future__ import annotations

from aep_reconciler.applier._executor import Applier
from aep_reconciler.events import ApplyResult, Event, Outcome

__all__ = ["Applier", "ApplyResult", "Event", "Outcome"]
