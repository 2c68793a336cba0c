"""Safety rules: each a small named predicate that can block a planned change, with a reason.

A blocked change stays in the plan (so a reviewer sees it and why) but the applier skips it,
and ``plan --detailed-exitcode`` still reports it as pending.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from aep_reconciler.live import LiveState
from aep_reconciler.ownership import owner_stack
from aep_reconciler.plan import Action, Change, PlanOptions
from aep_reconciler.planner.lookalikes import find_lookalike
from aep_reconciler.resources import (
    DATASET,
    DesiredDataset,
    DesiredExportJob,
    ManifestSet,
    ResourceKey,
)


def destroys_data(change: Change) -> bool:
    """Replacing or deleting a dataset loses the data in it."""
    return change.kind == DATASET and change.action in (Action.REPLACE, Action.DELETE)


def needs_allow_destroy(change: Change, options: PlanOptions) -> str:
    if destroys_data(change) and not options.allow_destroy:
        return "loses the dataset's data: rerun with --allow-destroy to permit it"
    return ""


def touches_only_owned(change: Change, live: LiveState) -> str:
    """Never act on a dataset, or a job in a dataset, that the stack does not own."""
    if change.kind == DATASET and change.id is not None and change.id not in live.datasets:
        return f"dataset {change.id} is not owned by this stack"
    foreign = [i for i in change.cancel_ids if live.dataset_of_job(i) not in live.datasets]
    if foreign:
        return f"job {', '.join(foreign)} is not in a dataset this stack owns"
    return ""


def duplicates_a_live_dataset(
    change: Change, live: LiveState, manifests: ManifestSet, options: PlanOptions
) -> str:
    """Never create a dataset where one with its name and schema lost its ownership tags."""
    if change.kind != DATASET or change.action is not Action.CREATE or options.allow_duplicate:
        return ""
    body = change.after or {}
    stack = owner_stack(body)
    declared = {d.key.name for d in manifests.datasets}
    found = find_lookalike(body, live, stack or "", declared) if stack else None
    return found.why(change.name) if found else ""


def protected_by_lifecycle(change: Change, manifests: ManifestSet) -> str:
    if not change.action.destructive:
        return ""
    items: tuple[DesiredDataset | DesiredExportJob, ...] = (
        *manifests.datasets,
        *manifests.export_jobs,
    )
    for desired in items:
        if desired.key == change.key:
            if desired.lifecycle.prevent_destroy:
                return "lifecycle.preventDestroy is set on this manifest"
    return ""


def empty_set_guard(changes: Iterable[Change], manifests: ManifestSet, options: PlanOptions) -> str:
    """An empty manifest set that would destroy what the stack owns is a misread directory."""
    if manifests.datasets or manifests.export_jobs or options.allow_empty:
        return ""
    if any(c.action.destructive for c in changes):
        return (
            "no manifests were found, so this would remove everything the stack owns; "
            "pass --allow-empty if that is what you want"
        )
    return ""


def destroyed_objects(change: Change) -> int:
    """How many objects a change deletes or cancels: a dataset, or each job it cancels."""
    if not change.action.destructive:
        return 0
    return 1 if change.kind == DATASET else max(1, len(change.cancel_ids))


def over_max_deletes(changes: Iterable[Change], options: PlanOptions) -> str:
    if options.max_deletes is None:
        return ""
    count = sum(destroyed_objects(c) for c in changes)
    if count > options.max_deletes:
        return f"{count} destructive changes exceed --max-deletes {options.max_deletes}"
    return ""


def guard(
    changes: list[Change], *, manifests: ManifestSet, live: LiveState, options: PlanOptions
) -> list[Change]:
    plan_wide = empty_set_guard(changes, manifests, options) or over_max_deletes(changes, options)
    rules: list[Callable[[Change], str]] = [
        lambda c: touches_only_owned(c, live) if c.action is not Action.NOOP else "",
        lambda c: duplicates_a_live_dataset(c, live, manifests, options),
        lambda c: needs_allow_destroy(c, options),
        lambda c: protected_by_lifecycle(c, manifests),
        lambda c: plan_wide if c.action.destructive else "",
    ]
    out = []
    for change in changes:
        reason = next((r for rule in rules if (r := rule(change))), "")
        out.append(dataclasses.replace(change, blocked=reason) if reason else change)
    blocked = {c.key for c in out if c.blocked}
    return [waits_for_blocked(c, blocked) for c in out]


def waits_for_blocked(change: Change, blocked: set[ResourceKey]) -> Change:
    """A change that needs a blocked one first (a job into a dataset not replaced) waits too."""
    waits = next((key for key in change.depends_on if key in blocked), None)
    if change.blocked or waits is None:
        return change
    return dataclasses.replace(change, blocked=f"needs {waits}, which is blocked")
