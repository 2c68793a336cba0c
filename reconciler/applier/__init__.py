"""Apply-time code: the executor of a plan, create recovery, the stack lease, the job waiter."""

from __future__ import annotations

from reconciler.applier._executor import Applier
from reconciler.events import ApplyResult, Event, Outcome

__all__ = ["Applier", "ApplyResult", "Event", "Outcome"]
