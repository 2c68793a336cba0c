"""Apply events → what a person reads while apply, destroy, import and export run: each
finished step (✓/✗), the summary, the export jobs followed by ``apply --wait``.

The line builders are pure; the ``print_*`` functions and ``Progress`` are the one place
in render/ that writes, to the streams they are given or else to ``sys.stdout`` and
``sys.stderr`` as they are at the call (cli wraps both in the redactor), so no command
prints an apply event itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TextIO

from aep_reconciler.durations import describe
from aep_reconciler.events import ApplyResult, Event, Outcome
from aep_reconciler.plan import Change
from aep_reconciler.render import github
from aep_reconciler.render.exports import job_line
from aep_reconciler.resources import ResourceKey

_EVENT_SYMBOL = {"succeeded": "✓", "failed": "✗", "skipped": "-"}
STALE = "the dataset changed since it was read; nothing adopted, run {verb} again"

# (name, total, records by namespace) of a job that SUCCEEDED, as apply --wait reads it back
Counts = Mapping[str, tuple[int | None, Mapping[str, int]]]


def event_line(event: Event, message: str | None = None) -> str:
    """One finished step of an apply, e.g. ``✓ + Dataset/profile-export (5b02...)``."""
    change = event.change
    symbol = _EVENT_SYMBOL.get(event.outcome.value, " ")
    where = f" ({event.id})" if event.id else ""
    text = event.message if message is None else message
    tail = f": {text}" if text else ""
    return f"  {symbol} {change.action.value} {change.key}{where}{tail}"


def not_applied_lines(
    blocked: Iterable[Change], unfinished: Iterable[tuple[str, ResourceKey, str]]
) -> list[str]:
    """Why apply exits 1: each blocked change, and each (outcome, key, message) that failed."""
    rows = [("blocked", c.key, c.blocked) for c in blocked] + list(unfinished)
    if not rows:
        return []
    lines = ["Not applied (exit code 1):"]
    for outcome, key, message in sorted(rows, key=lambda r: (r[1], r[0])):
        lines.append(f"  {outcome:<7} {key}: {message}" if message else f"  {outcome:<7} {key}")
    return lines


def _unfinished(result: ApplyResult) -> list[tuple[str, ResourceKey, str]]:
    return [(e.outcome.value, e.change.key, e.message) for e in result.failed]


def _count(result: ApplyResult, outcome: Outcome) -> int:
    return sum(1 for e in result.events if e.outcome is outcome)


def apply_summary(result: ApplyResult, blocked: Sequence[Change]) -> list[str]:
    """``Apply complete: …`` and what was not applied."""
    ok, failed = _count(result, Outcome.SUCCEEDED), _count(result, Outcome.FAILED)
    skipped = _count(result, Outcome.SKIPPED)
    tail = f", {len(blocked)} blocked (not applied)" if blocked else ""
    head = f"Apply complete: {ok} succeeded, {failed} failed, {skipped} skipped{tail}."
    return [head, *not_applied_lines(blocked, _unfinished(result))]


def destroy_summary(result: ApplyResult) -> list[str]:
    unfinished = _unfinished(result)
    ok = _count(result, Outcome.SUCCEEDED)
    head = f"Destroy complete: {ok} succeeded, {len(unfinished)} failed or skipped."
    return [head, *not_applied_lines((), unfinished)]


def nothing_done(headline: str, blocked: Sequence[Change]) -> list[str]:
    """A plan with only blocked changes: ``headline`` and each change that was blocked."""
    return [headline, *not_applied_lines(blocked, ())]


def progress_line(statuses: Mapping[str, str]) -> str:
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    parts = [f"{n} {s.lower()}" for s, n in sorted(counts.items())]
    return f"export jobs: {', '.join(parts)}"


def wait_report(
    result: ApplyResult, finals: Mapping[str, str], counts: Counts, timeout: float
) -> list[str]:
    """Each followed job's end (what it exported when it SUCCEEDED), then the jobs that did
    not succeed and those still running at ``timeout`` seconds."""
    names = {e.id: str(e.change.key) for e in result.events if e.id is not None}
    lines = []
    for job_id in result.created_jobs:
        status = finals.get(job_id, "UNKNOWN")
        total, by_ns = counts.get(job_id, (None, {}))
        lines.append(job_line(names.get(job_id, "ExportJob"), job_id, status, total, by_ns))
    created = {i: finals[i] for i in result.created_jobs}
    late = sorted(i for i, s in created.items() if s == "TIMEOUT")
    bad = sorted(i for i, s in created.items() if s not in ("SUCCEEDED", "TIMEOUT"))
    if bad:
        lines.append(f"export jobs that did not succeed: {', '.join(bad)}")
    if late:
        lines.append(f"export jobs still running after {describe(timeout)}: {', '.join(late)}")
    return lines


def print_lines(lines: Iterable[str], out: TextIO | None = None) -> None:
    for line in lines:
        print(line, file=out or sys.stdout)


def print_event(event: Event, *, annotate: str | None = None, out: TextIO | None = None) -> None:
    """One finished step (STARTED prints nothing). With ``annotate`` (a title such as
    "reconciler apply"), a failure under GitHub Actions also becomes an annotation."""
    if event.outcome is Outcome.STARTED:
        return
    print(event_line(event), file=out or sys.stdout, flush=True)
    if annotate and event.outcome is Outcome.FAILED and github.enabled(None, os.environ):
        change = event.change
        what = f"{change.action.value} {change.key} failed: {event.message}"
        print(github.command(what, title=annotate), file=sys.stderr, flush=True)


def adoption_printer(verb: str) -> Callable[[Event], None]:
    """Print each finished adoption; a 412 says plainly that the dataset moved meanwhile."""

    def show(event: Event) -> None:
        if event.outcome is not Outcome.STARTED:
            stale = "HTTP 412" in event.message
            print(event_line(event, STALE.format(verb=verb) if stale else None))

    return show


class Progress:
    """The export jobs' statuses as ``apply --wait`` follows them, on stderr: one line
    redrawn in place on a terminal, plain lines in a CI log."""

    def __init__(self, err: TextIO | None = None) -> None:
        self.err = err or sys.stderr
        self.live = self.err.isatty()

    def __call__(self, statuses: Mapping[str, str]) -> None:
        line = progress_line(statuses)
        print(
            f"\r\033[K{line}" if self.live else line, end="" if self.live else "\n", file=self.err
        )
        self.err.flush()

    def end(self) -> None:
        if self.live:
            print(file=self.err)
