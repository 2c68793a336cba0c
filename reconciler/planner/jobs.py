"""ExportJob declarations + live jobs in scope → changes and findings (pure).

An export job has no name on the platform: it is the job whose effective request has the
declaration's fingerprint, inside the declared destination dataset. The dataset's
inventory tag says which manifest name each fingerprint was created for, which tells an
old generation of a changed declaration (replace) from a job someone else started into a
managed dataset (unmanaged, never touched).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from reconciler.fingerprint import effective_request
from reconciler.live import LiveJob, LiveState, job_fingerprint
from reconciler.ownership import (
    JOBS_TAG,
    inventory,
    inventory_append,
    inventory_entry,
    short_fingerprint,
    tags_of,
)
from reconciler.plan import Action, Change, Finding, FindingType, Origin
from reconciler.planner.datasets import DatasetOutcome
from reconciler.planner.diffing import changed_paths, without_paths
from reconciler.resources import DATASET, EXPORT_JOB, DesiredExportJob, ManifestSet, ResourceKey

KEEPS_DECLARATION = frozenset({"NEW", "PROCESSING", "SUCCEEDED"})


@dataclass
class JobPlan:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)  # live job ids accounted for
    ignored: dict[str, int] = field(default_factory=dict)  # "ExportJob/name" -> rules that hid


@dataclass(frozen=True)
class Destination:
    dataset_id: str | None  # None: the dataset is created by this plan
    owned: bool
    depends_on: tuple[ResourceKey, ...]
    live: Mapping[str, Any] | None


def destination_of(
    desired: DesiredExportJob, outcomes: Mapping[str, DatasetOutcome], live: LiveState
) -> Destination:
    if desired.dataset is not None:
        outcome = outcomes[desired.dataset]
        key = (ResourceKey(DATASET, desired.dataset),)
        deps = key if outcome.action is not Action.NOOP else ()
        if outcome.action in (Action.CREATE, Action.REPLACE):
            return Destination(None, True, deps, None)
        return Destination(outcome.id, True, deps, outcome.live)
    literal = str(desired.body["destination"]["datasetId"])
    owned = live.datasets.get(literal)
    return Destination(literal, owned is not None, (), owned)


def request_body(desired: DesiredExportJob, dest: Destination) -> dict[str, Any]:
    """The POST body; ``destination.dataset`` stays only when the id comes from this apply."""
    body = {k: v for k, v in desired.body.items()}
    destination = {k: v for k, v in body["destination"].items() if k not in ("dataset",)}
    if dest.dataset_id is not None:
        destination["datasetId"] = dest.dataset_id
    else:
        destination["dataset"] = desired.dataset
    body["destination"] = destination
    return body


def _comparable(request: Mapping[str, Any]) -> dict[str, Any]:
    effective = effective_request(request)
    effective.get("destination", {}).pop("datasetId", None)
    return effective


def plan_job(
    desired: DesiredExportJob,
    outcomes: Mapping[str, DatasetOutcome],
    live: LiveState,
    result: JobPlan,
    ignore: tuple[str, ...] = (),
) -> None:
    name = desired.key.name
    dest = destination_of(desired, outcomes, live)
    body = request_body(desired, dest)
    fp = job_fingerprint(body)
    jobs = live.jobs_into(dest.dataset_id) if dest.dataset_id else []
    inv = inventory(dest.live) if dest.live is not None else {}
    same = _matching(body, fp, jobs, ignore, result, str(desired.key))
    names = {name, *desired.previous_names}  # a renamed manifest's jobs are still its own
    old = [j for j in jobs if inv.get(short_fingerprint(j.fingerprint)) in names and j not in same]
    result.claimed.update(j.id for j in (*same, *old))
    kept = [j for j in same if j.status in KEEPS_DECLARATION]
    if kept:
        reason = f"job {kept[0].id} is {kept[0].status}"
        result.changes.append(Change(desired.key, Action.NOOP, reason, id=kept[0].id))
        return
    patch = _patch_for(dest, inventory_entry(name, fp), inv)
    create = Change(
        desired.key, Action.CREATE, "", after=body, depends_on=dest.depends_on,
        dataset_patch=patch, known_job_ids=tuple(j.id for j in jobs if j.fingerprint == fp),
    )  # fmt: skip
    if same:  # the latest one FAILED
        _plan_failed(desired, same[0], create, result)
    elif old:
        _plan_changed(old, body, create, result)
    elif short_fingerprint(fp) in inv:
        _plan_vanished(body, create, result)
    else:
        detail = "declared, no job with this request"
        result.findings.append(
            Finding(EXPORT_JOB, name, FindingType.MISSING, detail=detail, declared=body,
                    origin=Origin.CONFIG)
        )  # fmt: skip
        result.changes.append(_with(create, Action.CREATE, detail, None, None, (), ()))


def _plan_changed(
    old: list[LiveJob], body: Mapping[str, Any], create: Change, result: JobPlan
) -> None:
    """The declaration changed: replace the previous job if it still runs, else just create."""
    latest = old[0]
    paths = changed_paths(_comparable(latest.request), _comparable(body))
    result.findings.append(
        Finding(EXPORT_JOB, create.name, FindingType.CHANGED, id=latest.id, paths=paths,
                detail="the declaration changed since the job was created",
                live=latest.request, declared=body, origin=Origin.CONFIG)
    )  # fmt: skip
    active = tuple(j.id for j in old if j.active)
    changed = ", ".join(paths)
    if active:
        reason = f"spec changed ({changed}): cancel job {', '.join(active)}, then create"
        change = _with(create, Action.REPLACE, reason, latest.id, latest.request, paths, active)
    else:
        reason = f"spec changed ({changed}); job {latest.id} ({latest.status}) stays as history"
        # ``before``: the job it follows, so the plan shows what changed, not the whole body
        change = _with(create, Action.CREATE, reason, None, latest.request, paths, ())
    result.changes.append(change)


def _plan_vanished(body: Mapping[str, Any], create: Change, result: JobPlan) -> None:
    """The stack created this job before (it is in the inventory) and it is gone now."""
    detail = "its job was cancelled or deleted outside reconciler"
    result.findings.append(
        Finding(EXPORT_JOB, create.name, FindingType.MISSING, detail=detail, declared=body)
    )
    reason = f"{detail}: creating it again"
    result.changes.append(_with(create, Action.CREATE, reason, None, None, (), (), Origin.PLATFORM))


def _matching(
    body: Mapping[str, Any],
    fp: str,
    jobs: list[LiveJob],
    ignore: tuple[str, ...],
    result: JobPlan,
    key: str,
) -> list[LiveJob]:
    """Live jobs with the declared request; ``ignore``d paths do not take part in the match."""
    if not ignore:
        return [j for j in jobs if j.fingerprint == fp]
    stripped, hidden = without_paths(body, ignore)
    wanted = job_fingerprint(stripped)
    same = []
    for job in jobs:
        request, live_hidden = without_paths(job.request, ignore)
        if job_fingerprint(request) == wanted:
            same.append(job)
            if job.fingerprint != fp:
                hidden = max(hidden, live_hidden, 1)
    if hidden:
        result.ignored[key] = hidden
    return same


def _plan_failed(
    desired: DesiredExportJob, latest: LiveJob, create: Change, result: JobPlan
) -> None:
    name = desired.key.name
    why = "; ".join(latest.errors) or "no error given"
    result.findings.append(
        Finding(
            EXPORT_JOB,
            name,
            FindingType.FAILED,
            id=latest.id,
            detail=f"latest job {latest.id} FAILED: {why}",
        )
    )
    if desired.lifecycle.recreate_on_failure:
        reason = f"latest job {latest.id} FAILED ({why}): creating it again"
        result.changes.append(
            _with(create, Action.CREATE, reason, None, None, (), (), Origin.PLATFORM)
        )
    else:
        reason = f"latest job {latest.id} FAILED; lifecycle.recreateOnFailure is false"
        result.changes.append(Change(desired.key, Action.NOOP, reason, id=latest.id))


def _with(
    base: Change,
    action: Action,
    reason: str,
    id_: str | None,
    before: Mapping[str, Any] | None,
    paths: tuple[str, ...],
    cancel: tuple[str, ...],
    origin: Origin = Origin.CONFIG,
) -> Change:
    return Change(
        base.key,
        action,
        reason,
        id=id_,
        before=before,
        after=base.after,
        paths=paths,
        origin=origin,
        depends_on=base.depends_on,
        cancel_ids=cancel,
        dataset_patch=base.dataset_patch,
        known_job_ids=base.known_job_ids,
    )


def _patch_for(dest: Destination, entry: str, inv: Mapping[str, str]) -> tuple[dict[str, Any], ...]:
    """Record the job in its owned dataset's inventory first (a new dataset has it already)."""
    if not dest.owned or dest.live is None:
        return ()
    fp = entry.rpartition("=")[2]
    if inv.get(fp) == entry.rpartition("=")[0]:
        return ()
    if JOBS_TAG not in tags_of(dest.live):
        return ({"op": "add", "path": f"/tags/{JOBS_TAG}", "value": [entry]},)
    return (inventory_append(entry),)


def declared_inventory(manifests: ManifestSet) -> dict[str, list[str]]:
    """Dataset manifest name -> the inventory entries of the jobs declared into it: what a
    new (or re-adopted) dataset carries from the start."""
    out: dict[str, list[str]] = {}
    for job in manifests.export_jobs:
        if job.dataset is not None:
            out.setdefault(job.dataset, []).append(
                inventory_entry(job.key.name, job_fingerprint(job.body))
            )
    return out


def leftover_jobs(
    live: LiveState,
    declared_names: set[str],
    result: JobPlan,
    deleted: Set[str] = frozenset(),
) -> None:
    """Jobs in owned datasets that no declaration claimed: report others', and say what
    happens to ours whose manifest is gone (``deleted``: datasets this plan deletes)."""
    removed: dict[str, list[LiveJob]] = {}
    for job in live.jobs:
        if job.id in result.claimed or job.dataset_id not in live.datasets:
            continue
        owner = inventory(live.datasets[job.dataset_id]).get(short_fingerprint(job.fingerprint))
        if owner is None:
            result.findings.append(
                Finding(
                    EXPORT_JOB,
                    f"job-{job.id}",
                    FindingType.UNMANAGED,
                    id=job.id,
                    detail=f"created outside reconciler into managed dataset "
                    f"{job.dataset_id} ({job.status})",
                    live=job.request,
                )
            )
        elif owner not in declared_names:
            removed.setdefault(owner, []).append(job)
    for owner, jobs in sorted(removed.items()):
        _removed_manifest(ResourceKey(EXPORT_JOB, owner), jobs, deleted, result)


def _removed_manifest(
    key: ResourceKey, jobs: list[LiveJob], deleted: Set[str], result: JobPlan
) -> None:
    """An ExportJob manifest removed from git: its running jobs are cancelled (those in a
    dataset this plan deletes go with it), its finished ones stay as history."""
    active = [j for j in jobs if j.active and j.dataset_id not in deleted]
    done = [j for j in jobs if not j.active]
    kept = f"{jobs_phrase(done)} {'stays' if len(done) == 1 else 'stay'} as history"
    if not active:
        if done:
            reason = f"manifest removed; {kept}"
            result.changes.append(Change(key, Action.NOOP, reason, id=done[0].id, undeclared=True))
        return
    statuses = "/".join(sorted({j.status for j in active}))
    reason = f"manifest removed; {jobs_phrase(active)} still {statuses}: cancel"
    result.changes.append(
        Change(
            key,
            Action.CANCEL,
            reason + (f"; {kept}" if done else ""),
            id=active[0].id,
            before=active[0].request,
            cancel_ids=tuple(j.id for j in active),
            undeclared=True,
        )
    )
    result.findings.append(
        Finding(
            EXPORT_JOB,
            key.name,
            FindingType.ORPHANED,
            id=active[0].id,
            detail="created by this stack, no manifest declares it",
            origin=Origin.CONFIG,
        )
    )


def jobs_phrase(jobs: list[LiveJob], most: int = 5) -> str:
    """``job 7`` or ``jobs 9, 8, 3 (+2 more)``: newest first, a handful named."""
    ids = [j.id for j in jobs]
    more = f" (+{len(ids) - most} more)" if len(ids) > most else ""
    return f"job{'s' if len(ids) > 1 else ''} {', '.join(ids[:most])}{more}"
