"""Desired manifests + live state → Plan (pure: no I/O, same input, same plan)."""

from __future__ import annotations

from reconciler.live import LiveState, job_fingerprint
from reconciler.ownership import inventory_entry
from reconciler.plan import Action, Change, Finding, Observation, Plan, PlanOptions
from reconciler.planner.datasets import DatasetPlan, plan_dataset, plan_orphans
from reconciler.planner.jobs import JobPlan, leftover_jobs, plan_job
from reconciler.planner.safety import guard
from reconciler.resources import DATASET, EXPORT_JOB, ManifestSet


def make_plan(
    manifests: ManifestSet,
    live: LiveState,
    *,
    stack: str,
    target: str,
    options: PlanOptions | None = None,
) -> Plan:
    options = options or PlanOptions()
    datasets = DatasetPlan()
    entries = _job_entries_by_dataset(manifests)
    for desired in manifests.datasets:
        ignore = options.ignore_fields.get(DATASET, ()) + desired.lifecycle.ignore_fields
        plan_dataset(
            desired,
            live.datasets_named(desired.key.name),
            stack=stack,
            ignore=ignore,
            job_entries=entries.get(desired.key.name, ()),
            result=datasets,
            may_replace=options.allow_destroy and not desired.lifecycle.prevent_destroy,
        )
    plan_orphans(live, {d.key.name for d in manifests.datasets}, options.prune, datasets)
    jobs = JobPlan()
    for desired_job in manifests.export_jobs:
        ignore = options.ignore_fields.get(EXPORT_JOB, ()) + desired_job.lifecycle.ignore_fields
        plan_job(desired_job, datasets.outcomes, live, jobs, ignore)
    deleted = {c.id for c in datasets.changes if c.action is Action.DELETE and c.id}
    leftover_jobs(live, {j.key.name for j in manifests.export_jobs}, jobs, deleted)
    changes = guard(
        datasets.changes + jobs.changes, manifests=manifests, live=live, options=options
    )
    return Plan(
        stack=stack,
        target=target,
        changes=tuple(sorted(changes, key=_order)),
        findings=tuple(sorted(datasets.findings + jobs.findings, key=_finding_order)),
        observation=Observation(
            datasets=len(live.datasets),
            export_jobs=live.jobs_seen,
            requests=live.requests,
            seconds=live.seconds,
            objects=live.object_fingerprints(),
        ),
        ignored={**datasets.ignored, **jobs.ignored},
    )


def _job_entries_by_dataset(manifests: ManifestSet) -> dict[str, list[str]]:
    """Inventory entries a new dataset is created with, for the jobs declared into it."""
    out: dict[str, list[str]] = {}
    for job in manifests.export_jobs:
        if job.dataset is not None:
            out.setdefault(job.dataset, []).append(
                inventory_entry(job.key.name, job_fingerprint(job.body))
            )
    return out


_KIND_ORDER = {DATASET: 0, EXPORT_JOB: 1}


def _order(change: Change) -> tuple[int, str, str]:
    return (_KIND_ORDER.get(change.kind, 9), change.name, change.id or "")


def _finding_order(finding: Finding) -> tuple[int, str, str, str]:
    return (_KIND_ORDER.get(finding.kind, 9), finding.name, finding.type.value, finding.id or "")
