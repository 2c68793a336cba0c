"""The plan of ``reconciler destroy`` (pure): every owned object goes, the lock dataset last.

It is the plan of an empty manifest set with ``--prune`` (each owned dataset deleted, its
running jobs cancelled first), reworded for a teardown, plus the stack's lock dataset,
which is deleted only after every other deletion succeeded.
"""

from __future__ import annotations

import dataclasses

from aep_reconciler.plan import Action, Change, Plan
from aep_reconciler.resources import DATASET, ResourceKey

LOCK_REASON = "the stack's apply lock: removed last, once everything above is gone"


def lock_key(stack: str) -> ResourceKey:
    """The lock dataset's key in a plan (a name no manifest can have: ``:`` is not allowed)."""
    return ResourceKey(DATASET, f"reconciler-lock:{stack}")


def teardown(plan: Plan, lock_id: str | None) -> Plan:
    """``plan`` (of no manifests, with --prune) as a teardown, the lock's removal appended."""
    changes = [_reworded(c) for c in plan.changes]
    if lock_id is not None:
        deletes = tuple(c.key for c in changes if c.kind == DATASET and c.action.destructive)
        blocked = next((c for c in changes if c.blocked), None)
        changes.append(
            Change(
                lock_key(plan.stack),
                Action.DELETE,
                LOCK_REASON,
                id=lock_id,
                depends_on=deletes,
                blocked=f"kept while {blocked.key} stays (blocked)" if blocked else "",
            )
        )
    return dataclasses.replace(plan, changes=tuple(changes))


def _reworded(change: Change) -> Change:
    if change.action is Action.DELETE and change.kind == DATASET:
        jobs = "; its running jobs are cancelled first" if change.cancel_ids else ""
        return dataclasses.replace(change, reason=f"destroy: deleted with its data{jobs}")
    return change
