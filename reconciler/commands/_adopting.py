"""What import and export print while the applier adopts datasets."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.applier import Event, Outcome
from reconciler.render.events import event_line

STALE = "the dataset changed since it was read; nothing adopted, run {verb} again"


def event_printer(verb: str) -> Callable[[Event], None]:
    """Print each finished adoption; a 412 says plainly that the dataset moved meanwhile."""

    def show(event: Event) -> None:
        if event.outcome is Outcome.STARTED:
            return
        change = event.change
        message = STALE.format(verb=verb) if "HTTP 412" in event.message else event.message
        print(event_line(event.outcome.value, change.key, change.action.value, message, event.id))

    return show
