"""``--only``: narrow a plan to the named objects and the changes they depend on (pure).

Like Terraform's ``-target``, this is for exceptional moments (one job to run now, one
dataset to fix first): everything else in the stack is neither compared in the output nor
applied, and the plan says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aep_reconciler.plan import Change, Finding
from aep_reconciler.resources import ResourceKey


def needed(changes: Sequence[Change], only: Iterable[ResourceKey]) -> set[ResourceKey]:
    """The keys in ``only`` and, transitively, the keys their changes depend on."""
    wanted = set(only)
    waiting = list(wanted)
    while waiting:
        key = waiting.pop()
        for change in changes:
            if change.key == key:
                fresh = set(change.depends_on) - wanted
                wanted |= fresh
                waiting += fresh
    return wanted


def narrow(
    changes: Sequence[Change], findings: Sequence[Finding], only: Sequence[ResourceKey]
) -> tuple[list[Change], list[Finding]]:
    """The changes and findings of the objects ``only`` names (all of them when empty)."""
    if not only:
        return list(changes), list(findings)
    keep = needed(changes, only)
    return (
        [c for c in changes if c.key in keep],
        [f for f in findings if ResourceKey(f.kind, f.name) in keep],
    )
