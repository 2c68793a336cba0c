"""ExportJob declarations + live jobs in scope → changes and findings (pure).

An export job has no name on the platform, and the platform's answers do not echo its
request. A job is a declaration's when its destination's inventory records the job's id
under the declaration's name (planner/identity.py); the spec digest recorded beside the id
says whether the declaration changed since (then the job is an old generation: replaced if
it still runs). A job in a managed dataset that no inventory names was started by someone
else, and is never touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.fingerprint import differences
from aep_reconciler.inventory import intent, job_tag, texts
from aep_reconciler.live import LiveJob, LiveState, job_fingerprint
from aep_reconciler.ownership import set_tag, short_fingerprint
from aep_reconciler.plan import Action, Change, Finding, FindingType, Origin, PlanOptions
from aep_reconciler.planner.datasets import DatasetOutcome
from aep_reconciler.planner.diffing import without_paths
from aep_reconciler.planner.identity import Claim, Declared, Ledger
from aep_reconciler.planner.recurrence import Retry, ago, due_in, is_due, retry
from aep_reconciler.resources import DATASET, EXPORT_JOB, DesiredExportJob, ManifestSet, ResourceKey

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


@dataclass(frozen=True)
class JobSpec:
    """One ExportJob declaration as this plan sees it."""

    desired: DesiredExportJob
    dest: Destination
    body: dict[str, Any]  # the POST body
    declared: Declared  # its digests: without the ignored paths (what it records), and whole
    hidden: int  # ignored paths the declaration holds

    @property
    def name(self) -> str:
        return self.desired.key.name


def spec_digest(body: Mapping[str, Any]) -> str:
    """The digest an inventory records with a job: of the request, destination left out."""
    return short_fingerprint(job_fingerprint(body))


def job_ignore(options: PlanOptions, desired: DesiredExportJob) -> tuple[str, ...]:
    return options.ignore_fields.get(EXPORT_JOB, ()) + desired.lifecycle.ignore_fields


def declared_digests(body: Mapping[str, Any], ignore: tuple[str, ...]) -> tuple[Declared, int]:
    """The digest its jobs are recorded with (ignored paths never take part), the digest of
    the whole declaration too (a record made before an ignore was added), and how many
    ignored paths it holds."""
    stripped, hidden = without_paths(body, ignore)
    digest = spec_digest(stripped)
    return Declared(digest, frozenset({digest, spec_digest(body)}), body), hidden


def recorded_digest(
    desired: DesiredExportJob, dataset_id: str, options: PlanOptions | None = None
) -> str:
    """The digest a job of ``desired`` into live dataset ``dataset_id`` is recorded with in
    the inventory: what the planner computes for it (export and import record adopted jobs
    with it, so the next plan finds them its own)."""
    destination = {k: v for k, v in desired.body["destination"].items() if k != "dataset"}
    body = {**desired.body, "destination": {**destination, "datasetId": dataset_id}}
    return declared_digests(body, job_ignore(options or PlanOptions(), desired))[0].digest


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


def job_spec(
    desired: DesiredExportJob,
    outcomes: Mapping[str, DatasetOutcome],
    live: LiveState,
    ignore: tuple[str, ...],
) -> JobSpec:
    dest = destination_of(desired, outcomes, live)
    body = request_body(desired, dest)
    declared, hidden = declared_digests(body, ignore)
    return JobSpec(desired, dest, body, declared, hidden)


def plan_job(
    spec: JobSpec,
    ledger: Ledger | None,
    result: JobPlan,
    now_ms: int | None = None,
    *,
    rerun: bool = False,
) -> None:
    """Plan one declaration; ``rerun`` (``--replace``) runs it again although a job is kept."""
    name = spec.name
    mine = ledger.jobs_of(name) if ledger is not None else []
    result.claimed.update(j.id for j, _ in mine)
    same = [j for j, c in mine if c.digest in spec.declared.digests and not c.cancelled]
    old = [(j, c) for j, c in mine if c.digest not in spec.declared.digests]
    if spec.hidden:
        result.ignored[str(spec.desired.key)] = spec.hidden
    kept = [j for j in same if j.status in KEEPS_DECLARATION]
    running = [j for j in kept if j.active]
    schedule = spec.desired.lifecycle.every
    if not rerun and ((kept and schedule is None) or running):
        shown = kept[0] if schedule is None else running[0]
        reason = f"job {shown.id} is {shown.status}"
        result.changes.append(Change(spec.desired.key, Action.NOOP, reason, id=shown.id))
        return
    if kept and rerun:
        _plan_rerun(spec, kept, ledger, result)
    elif kept:  # a recurring export whose latest job SUCCEEDED
        _plan_recurring(spec, same, kept[0], _create(spec, ledger), now_ms, result)
    elif same:  # the latest one FAILED
        _plan_failed(spec.desired, retry(same, schedule), _create(spec, ledger), now_ms, result)
    elif old:
        running_ids = tuple(j.id for j, c in old if j.active and not c.cancelled)
        _plan_changed(old, spec.body, _create(spec, ledger, running_ids), result)
    elif ledger is not None and any(not e.cancelled for e in ledger.vanished.get(name, ())):
        _plan_vanished(spec.body, _create(spec, ledger), result)
    else:
        detail = "declared, no job with this request"
        result.findings.append(
            Finding(EXPORT_JOB, name, FindingType.MISSING, detail=detail, declared=spec.body,
                    origin=Origin.CONFIG)
        )  # fmt: skip
        result.changes.append(_with(_create(spec, ledger), Action.CREATE, detail, None, None, ()))


def _create(spec: JobSpec, ledger: Ledger | None, cancel: tuple[str, ...] = ()) -> Change:
    """The create, cancelling ``cancel`` first, with the inventory write that goes before it.

    The write marks the cancelled jobs and adds the intent; a dataset created by this plan
    carries the intent in its create body already; one the stack does not own is never
    written (its jobs are known by their requests only).
    """
    entry = intent(spec.declared.digest, ledger.newest_ms() if ledger else None)
    values: tuple[str, ...] = ()
    patch: tuple[dict[str, Any], ...] = ()
    if spec.dest.dataset_id is None:
        values = (entry.text(),)
    elif spec.dest.owned and ledger is not None:
        values = (*texts(ledger.entries(spec.name, cancel)), entry.text())
        patch = (set_tag(job_tag(spec.name), values),)
    known = ledger.matching(spec.declared) if ledger is not None else ()
    return Change(
        spec.desired.key, Action.CREATE, "", after=spec.body, depends_on=spec.dest.depends_on,
        cancel_ids=cancel, dataset_patch=patch, known_job_ids=known, inventory=values,
        patch_dataset_id=spec.dest.dataset_id if patch else None,
    )  # fmt: skip


def _status(job: LiveJob, claim: Claim) -> str:
    return f"{job.status}, cancel requested" if claim.cancelled else job.status


def _plan_changed(
    old: list[tuple[LiveJob, Claim]], body: Mapping[str, Any], create: Change, result: JobPlan
) -> None:
    """The declaration changed: replace the previous job if it still runs, else just create.

    The paths shown are those where the platform's answer visibly differs; the digest in
    the inventory is what tells that the declaration changed at all.
    """
    latest, claim = old[0]
    paths = differences(latest.request, body)
    result.findings.append(
        Finding(EXPORT_JOB, create.name, FindingType.CHANGED, id=latest.id, paths=paths,
                detail="the declaration changed since the job was created",
                live=latest.request, declared=body, origin=Origin.CONFIG)
    )  # fmt: skip
    changed = f"spec changed ({', '.join(paths)})" if paths else "spec changed"
    if create.cancel_ids:
        reason = f"{changed}: cancel job {', '.join(create.cancel_ids)}, then create"
        change = _with(create, Action.REPLACE, reason, latest.id, latest.request, paths)
    else:
        reason = f"{changed}; job {latest.id} ({_status(latest, claim)}) stays as history"
        # ``before``: the job it follows, so the plan shows what changed, not the whole body
        change = _with(create, Action.CREATE, reason, None, latest.request, paths)
    result.changes.append(change)


def _plan_rerun(spec: JobSpec, kept: list[LiveJob], ledger: Ledger | None, result: JobPlan) -> None:
    """--replace: run the request again; a job of it that still runs is cancelled first."""
    latest, active = kept[0], tuple(j.id for j in kept if j.active)
    create = _create(spec, ledger, active)
    if active:
        reason = f"replace requested: cancel job {', '.join(active)}, then create"
        change = _with(create, Action.REPLACE, reason, latest.id, latest.request, ())
    else:
        reason = f"replace requested: job {latest.id} is {latest.status}; running it again"
        change = _with(create, Action.CREATE, reason, None, None, ())
    result.changes.append(change)


def _plan_vanished(body: Mapping[str, Any], create: Change, result: JobPlan) -> None:
    """The stack created this job before (the inventory records it) and it is gone now."""
    detail = "its job was cancelled or deleted outside reconciler"
    result.findings.append(
        Finding(EXPORT_JOB, create.name, FindingType.MISSING, detail=detail, declared=body)
    )
    reason = f"{detail}: creating it again"
    result.changes.append(_with(create, Action.CREATE, reason, None, None, (), Origin.PLATFORM))


def _plan_recurring(
    spec: JobSpec,
    same: list[LiveJob],
    last: LiveJob,
    create: Change,
    now_ms: int | None,
    result: JobPlan,
) -> None:
    """``lifecycle.every``: a new job once the latest SUCCEEDED one (``last``) is due again;
    failures since then are retried with backoff, never before the schedule says."""
    schedule = spec.desired.lifecycle.every
    assert schedule is not None
    due = schedule.due_ms(last.creation_time)
    if same[0].status == "FAILED":
        _plan_failed(spec.desired, retry(same, schedule, due), create, now_ms, result)
        return
    age = ago(now_ms, last.creation_time)
    if not is_due(due, now_ms):
        reason = (
            f"job {last.id} SUCCEEDED, last export {age}; next export "
            f"{due_in(now_ms, due)}, {schedule.describe()}"
        )
        noop = Change(spec.desired.key, Action.NOOP, reason, id=last.id, next_due_ms=due)
        result.changes.append(noop)
        return
    detail = f"last export {age}, {schedule.describe()}" if age else schedule.describe()
    result.findings.append(
        Finding(EXPORT_JOB, spec.name, FindingType.STALE, id=last.id, detail=detail)
    )
    result.changes.append(_with(create, Action.CREATE, detail, None, None, (), Origin.PLATFORM))


def _plan_failed(
    desired: DesiredExportJob,
    tried: Retry,
    create: Change,
    now_ms: int | None,
    result: JobPlan,
) -> None:
    name, latest = desired.key.name, tried.latest
    why = "; ".join(latest.errors) or "no error given"
    times = f" {tried.failures} times in a row" if tried.failures > 1 else ""
    due = is_due(tried.due_ms, now_ms)
    wait = "" if due else f"; next try {due_in(now_ms, tried.due_ms)}"
    result.findings.append(
        Finding(EXPORT_JOB, name, FindingType.FAILED, id=latest.id,
                detail=f"latest job {latest.id} FAILED{times}: {why}{wait}")
    )  # fmt: skip
    if not desired.lifecycle.recreate_on_failure:
        reason = f"latest job {latest.id} FAILED; lifecycle.recreateOnFailure is false"
        result.changes.append(Change(desired.key, Action.NOOP, reason, id=latest.id))
    elif not due:
        reason = f"latest job {latest.id} FAILED{times} ({why}){wait}"
        result.changes.append(Change(desired.key, Action.NOOP, reason, id=latest.id))
    else:
        reason = f"latest job {latest.id} FAILED{times} ({why}): creating it again"
        result.changes.append(_with(create, Action.CREATE, reason, None, None, (), Origin.PLATFORM))


def _with(
    base: Change,
    action: Action,
    reason: str,
    id_: str | None,
    before: Mapping[str, Any] | None,
    paths: tuple[str, ...],
    origin: Origin = Origin.CONFIG,
) -> Change:
    return dataclasses.replace(
        base, action=action, reason=reason, id=id_, before=before, paths=paths, origin=origin
    )


def declared_inventory(
    manifests: ManifestSet, options: PlanOptions | None = None
) -> dict[str, dict[str, list[str]]]:
    """Dataset manifest name -> the inventory tags of the jobs declared into it, an intent
    each: what a new (or re-adopted) dataset carries from the start (with --only, the jobs
    it names: the others are not created now)."""
    options = options or PlanOptions()
    out: dict[str, dict[str, list[str]]] = {}
    for job in manifests.export_jobs:
        if options.only and job.key not in options.only:
            continue
        if job.dataset is not None:
            declared, _ = declared_digests(job.body, job_ignore(options, job))
            out.setdefault(job.dataset, {})[job_tag(job.key.name)] = [
                intent(declared.digest).text()
            ]
    return out
