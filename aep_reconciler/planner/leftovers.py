"""Jobs no declaration claims, and the inventory tidied where a change writes anyway (pure).

A job the inventory names under a manifest that is gone is cancelled while it runs (once:
a job whose cancel was asked for counts as cancelled, however long the platform keeps
listing it). A job nobody's inventory names was started by someone else: reported, never
touched (one acknowledged by id is reported as acknowledged, not as drift). Each dataset's
inventory is tidied (records of jobs no longer listed and resolved intents dropped, lost
records written back) by one change that writes that dataset anyway, never by a change of
its own: tidying alone is never a reason to apply.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence, Set

from aep_reconciler.inventory import job_tag, texts
from aep_reconciler.live import LiveJob, LiveState
from aep_reconciler.ownership import set_tag
from aep_reconciler.plan import Action, Change, Finding, FindingType, Origin
from aep_reconciler.planner.identity import Claim, Ledger
from aep_reconciler.planner.jobs import JobPlan
from aep_reconciler.resources import DATASET, EXPORT_JOB, ResourceKey


def leftover_jobs(
    live: LiveState,
    ledgers: Mapping[str, Ledger],
    declared: set[str],
    result: JobPlan,
    deleted: Set[str] = frozenset(),
    acknowledged: Set[str] = frozenset(),
) -> None:
    """Jobs in owned datasets that no declaration claimed: report others' (``acknowledged``:
    ids reported as acknowledged, not unmanaged), and say what happens to ours whose
    manifest is gone (``deleted``: datasets this plan deletes)."""
    removed: dict[str, list[tuple[LiveJob, Claim]]] = {}
    for dataset_id in sorted(live.datasets):
        ledger = ledgers[dataset_id]
        for job in ledger.jobs:
            claim = ledger.claims.get(job.id)
            if job.id in result.claimed or (claim is not None and claim.name in declared):
                continue  # a declaration's, here or (moved since) in another dataset
            if claim is None:
                result.findings.append(_foreign(job, dataset_id, job.id in acknowledged))
            else:
                removed.setdefault(claim.name, []).append((job, claim))
    for name, jobs in sorted(removed.items()):
        _removed_manifest(ResourceKey(EXPORT_JOB, name), jobs, ledgers, deleted, result)


def _foreign(job: LiveJob, dataset_id: str, acknowledged: bool) -> Finding:
    detail = f"created outside reconciler into managed dataset {dataset_id} ({job.status})"
    kind = FindingType.ACKNOWLEDGED if acknowledged else FindingType.UNMANAGED
    return Finding(
        EXPORT_JOB, f"job-{job.id}", kind, id=job.id, detail=detail, live=job.request,
    )  # fmt: skip


def stale_acknowledgements(live: LiveState, acknowledged: Iterable[str]) -> tuple[str, ...]:
    """A note for each acknowledged id the platform no longer lists in the stack's datasets:
    nothing to act on, but the id can go from the list."""
    listed = {j.id for j in live.jobs}
    return tuple(
        f"acknowledged export job {i} is no longer listed in the stack's datasets; "
        "it can be removed from acknowledge.exportJobs"
        for i in sorted(set(acknowledged) - listed)
    )


def _removed_manifest(
    key: ResourceKey,
    jobs: list[tuple[LiveJob, Claim]],
    ledgers: Mapping[str, Ledger],
    deleted: Set[str],
    result: JobPlan,
) -> None:
    """An ExportJob manifest removed from git: its running jobs are cancelled (those in a
    dataset this plan deletes go with it; those whose cancel was asked for already count as
    cancelled), its finished ones stay as history."""
    running = [j for j, c in jobs if j.active and not c.cancelled and j.dataset_id not in deleted]
    done = [j for j, c in jobs if not j.active or c.cancelled]
    kept = f"{jobs_phrase(done)} {'stays' if len(done) == 1 else 'stay'} as history"
    if not running:
        if done:
            reason = f"manifest removed; {kept}"
            result.changes.append(Change(key, Action.NOOP, reason, id=done[0].id, undeclared=True))
        return
    statuses = "/".join(sorted({j.status for j in running}))
    reason = f"manifest removed; {jobs_phrase(running)} still {statuses}: cancel"
    reason += f"; {kept}" if done else ""
    for dataset_id in sorted({j.dataset_id for j in running}):
        ids = [j.id for j in running if j.dataset_id == dataset_id]
        result.changes.append(_cancel(key, ledgers[dataset_id], dataset_id, ids, reason))
    result.findings.append(
        Finding(EXPORT_JOB, key.name, FindingType.ORPHANED, id=running[0].id,
                detail="created by this stack, no manifest declares it", origin=Origin.CONFIG)
    )  # fmt: skip


def jobs_phrase(jobs: list[LiveJob], most: int = 5) -> str:
    """``job 7`` or ``jobs 9, 8, 3 (+2 more)``: newest first, a handful named."""
    ids = [j.id for j in jobs]
    more = f" (+{len(ids) - most} more)" if len(ids) > most else ""
    return f"job{'s' if len(ids) > 1 else ''} {', '.join(ids[:most])}{more}"


def _cancel(
    key: ResourceKey, ledger: Ledger, dataset_id: str, ids: Sequence[str], reason: str
) -> Change:
    """Cancel ``ids``, then mark them cancelled in the manifest's inventory tag."""
    jobs = {j.id: j for j in ledger.jobs}
    values = texts(ledger.entries(key.name, ids))
    return Change(
        key, Action.CANCEL, reason, id=ids[0], before=jobs[ids[0]].request,
        cancel_ids=tuple(ids), undeclared=True,
        dataset_patch=(set_tag(job_tag(key.name), values),), patch_dataset_id=dataset_id,
    )  # fmt: skip


def tidy(changes: Sequence[Change], ledgers: Mapping[str, Ledger]) -> list[Change]:
    """Each owned dataset's tidying ops, added to the first change that writes it anyway."""
    out = list(changes)
    written: dict[str, set[str]] = {}
    carrier: dict[str, int] = {}
    for index, change in enumerate(out):
        target = change.patch_dataset_id
        if change.kind == DATASET and change.action is Action.UPDATE:
            target = change.id
        if target is None or target not in ledgers or not ledgers[target].owned:
            continue
        if change.kind == EXPORT_JOB:
            written.setdefault(target, set()).add(change.name)
        if change.action is not Action.NOOP and not change.blocked:
            carrier.setdefault(target, index)
    for dataset_id, index in carrier.items():
        ops = ledgers[dataset_id].tidy_ops(written.get(dataset_id, set()))
        if ops:
            change = out[index]
            out[index] = dataclasses.replace(
                change,
                dataset_patch=(*change.dataset_patch, *ops),
                patch_dataset_id=dataset_id,
            )
    return out
