"""Desired manifests + live state → Plan (pure: no I/O, same input, same plan)."""

from __future__ import annotations

from typing import Any

from aep_reconciler.live import LiveState
from aep_reconciler.plan import Action, Change, Finding, Observation, Plan, PlanOptions
from aep_reconciler.planner.datasets import DatasetPlan, plan_dataset, plan_orphans
from aep_reconciler.planner.identity import Declared, ledgers_for
from aep_reconciler.planner.jobs import (
    JobPlan,
    JobSpec,
    declared_inventory,
    job_ignore,
    job_spec,
    plan_job,
)
from aep_reconciler.planner.leftovers import leftover_jobs, stale_acknowledgements, tidy
from aep_reconciler.planner.lookalikes import Lookalike, find_lookalike
from aep_reconciler.planner.safety import guard
from aep_reconciler.planner.scope import narrow
from aep_reconciler.resources import DATASET, EXPORT_JOB, DesiredDataset, ManifestSet, ResourceKey


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
    declared = {d.key.name for d in manifests.datasets}
    entries = declared_inventory(manifests, options)
    for desired in manifests.datasets:
        ignore = options.ignore_fields.get(DATASET, ()) + desired.lifecycle.ignore_fields
        matches, moved_from = _live_matches(desired, live)
        plan_dataset(
            desired,
            matches,
            moved_from=moved_from,
            seen=None if matches else _seen(desired, live, stack, declared),
            stack=stack,
            ignore=ignore,
            job_tags=entries.get(desired.key.name, {}),
            result=datasets,
            may_replace=options.allow_destroy and not desired.lifecycle.prevent_destroy,
        )
    specs = [
        job_spec(d, datasets.outcomes, live, job_ignore(options, d)) for d in manifests.export_jobs
    ]
    renamed = {old: j.key.name for j in manifests.export_jobs for old in j.previous_names}
    ledgers = ledgers_for(live, _declared_by_dataset(specs), renamed)
    cancelled = {i for ledger in ledgers.values() for i, c in ledger.claims.items() if c.cancelled}
    plan_orphans(live, declared, options.prune, datasets, cancelled)
    jobs = JobPlan()
    for spec in specs:
        dataset_id = spec.dest.dataset_id
        ledger = ledgers.get(dataset_id) if dataset_id else None
        rerun = spec.desired.key in options.replace
        plan_job(spec, ledger, jobs, live.now_ms, rerun=rerun)
    deleted = {c.id for c in datasets.changes if c.action is Action.DELETE and c.id}
    acknowledged = frozenset(options.acknowledged)
    declared_jobs = {j.key.name for j in manifests.export_jobs}
    leftover_jobs(live, ledgers, declared_jobs, jobs, deleted, acknowledged)
    changes, findings = narrow(
        datasets.changes + jobs.changes, datasets.findings + jobs.findings, options.only
    )
    changes = guard(changes, manifests=manifests, live=live, options=options)
    return Plan(
        stack=stack,
        target=target,
        changes=tuple(tidy(sorted(changes, key=_order), ledgers)),
        findings=tuple(sorted(findings, key=_finding_order)),
        observation=Observation(
            datasets=len(live.datasets),
            export_jobs=live.jobs_seen,
            requests=live.requests,
            seconds=live.seconds,
            objects=live.object_fingerprints(),
        ),
        ignored={**datasets.ignored, **jobs.ignored},
        scope=tuple(options.only),
        notes=stale_acknowledgements(live, acknowledged),
    )


def _declared_by_dataset(specs: list[JobSpec]) -> dict[str, dict[str, Declared]]:
    out: dict[str, dict[str, Declared]] = {}
    for spec in specs:
        if spec.dest.dataset_id is not None:
            out.setdefault(spec.dest.dataset_id, {})[spec.name] = spec.declared
    return out


def _seen(
    desired: DesiredDataset, live: LiveState, stack: str, declared: set[str]
) -> Lookalike | str | None:
    """For a declaration nothing owned matches: a live dataset that looks like it (its tags
    lost), else the id the stack's record had for it (deleted outside reconciler)."""
    found = find_lookalike(desired.body, live, stack, declared)
    if found is not None:
        return found
    gone = live.recorded.get(desired.key.name)
    return gone if gone is not None and gone not in live.datasets else None


def _live_matches(
    desired: DesiredDataset, live: LiveState
) -> tuple[list[tuple[str, dict[str, Any]]], ResourceKey | None]:
    """The owned datasets carrying the manifest's name; failing that, those carrying one of
    its previous names (a rename to apply), with that name."""
    matches = live.datasets_named(desired.key.name)
    if matches:
        return matches, None
    for old in desired.previous_names:
        matches = live.datasets_named(old)
        if matches:
            return matches, ResourceKey(DATASET, old)
    return [], None


_KIND_ORDER = {DATASET: 0, EXPORT_JOB: 1}


def _order(change: Change) -> tuple[int, str, str]:
    return (_KIND_ORDER.get(change.kind, 9), change.name, change.id or "")


def _finding_order(finding: Finding) -> tuple[int, str, str, str]:
    return (_KIND_ORDER.get(finding.kind, 9), finding.name, finding.type.value, finding.id or "")
