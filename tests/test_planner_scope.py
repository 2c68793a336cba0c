"""--only narrows a plan to named objects and their dependencies; --replace runs a job again."""

from __future__ import annotations

import pytest

from aep_reconciler.inventory import JOB_TAG_PREFIX, job_tag
from aep_reconciler.plan import Action
from aep_reconciler.resources import DATASET, EXPORT_JOB, ResourceKey
from tests.test_planner import actions, applied, dataset, job, manifests, plan

VIP = ResourceKey(EXPORT_JOB, "vip")
EXPORTS = ResourceKey(DATASET, "exports")


def test_only_a_job_brings_the_dataset_it_needs_and_nothing_else() -> None:
    ms = manifests(dataset(), job(), job("other", fields="identities.id"))
    p = plan(ms, only=(VIP,))
    assert actions(p) == {"Dataset/exports": "create", "ExportJob/vip": "create"}
    assert p.scope == (VIP,)
    assert {f.name for f in p.findings} == {"exports", "vip"}
    (ds,) = [c for c in p.changes if c.kind == DATASET]
    assert ds.after is not None  # the new dataset records only the job created now
    job_tags = [k for k in ds.after["tags"] if k.startswith(JOB_TAG_PREFIX)]
    assert job_tags == [job_tag("vip")]


def test_only_a_dataset_leaves_its_jobs_out() -> None:
    ms = manifests(dataset(), job())
    p = plan(ms, only=(EXPORTS,))
    assert actions(p) == {"Dataset/exports": "create"}
    (ds,) = p.changes
    assert ds.after is not None
    assert not [k for k in ds.after["tags"] if k.startswith(JOB_TAG_PREFIX)]


def test_without_only_the_whole_stack_is_planned() -> None:
    ms = manifests(dataset(), job(), job("other", fields="identities.id"))
    assert len(plan(ms).changes) == 3 and plan(ms).scope == ()


@pytest.mark.parametrize(
    ("status", "action", "cancels"),
    [("SUCCEEDED", Action.CREATE, False), ("PROCESSING", Action.REPLACE, True)],
)
def test_replace_runs_a_kept_job_again(status: str, action: Action, cancels: bool) -> None:
    ms = manifests(dataset(), job(), job("other", fields="identities.id"))
    live = applied(ms, job_status=status)
    assert not plan(ms, live).has_changes
    p = plan(ms, live, replace=(VIP,))
    (change,) = p.actionable
    vip_job = next(j for j in live.jobs if j.request.get("fields") != "identities.id")
    assert (change.key, change.action) == (VIP, action)
    assert "replace requested" in change.reason
    assert change.cancel_ids == ((vip_job.id,) if cancels else ())
    # the applier must never take the kept job for the one it creates
    assert change.known_job_ids == (vip_job.id,)
