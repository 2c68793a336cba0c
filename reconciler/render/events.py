"""Apply events → the lines apply, destroy and import print as each step finishes."""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.plan import Change
from reconciler.resources import ResourceKey

_EVENT_SYMBOL = {"succeeded": "✓", "failed": "✗", "skipped": "-"}


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


def event_line(outcome: str, key: ResourceKey, action: str, message: str, ident: str | None) -> str:
    """One finished step of an apply, e.g. ``✓ create Dataset/profile-export (5b02...)``."""
    symbol = _EVENT_SYMBOL.get(outcome, " ")
    where = f" ({ident})" if ident else ""
    tail = f": {message}" if message else ""
    return f"  {symbol} {action} {key}{where}{tail}"
