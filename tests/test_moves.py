"""Renames (metadata.previousNames): the live object is renamed in place, never made again."""

from __future__ import annotations

import dataclasses

from aep_reconciler.ownership import NAME_TAG
from aep_reconciler.plan import Action, FindingType
from aep_reconciler.resources import DATASET, DesiredDataset, ResourceKey
from tests.test_planner import applied, dataset, job, manifests, plan


def renamed(item: DesiredDataset, new: str, *old: str) -> DesiredDataset:
    return dataclasses.replace(item, key=ResourceKey(DATASET, new), previous_names=old)


def test_a_renamed_dataset_is_moved_not_created_and_its_jobs_stay() -> None:
    live = applied(manifests(dataset("exports"), job("vip", "exports")))
    (dataset_id,) = live.datasets
    p = plan(
        manifests(renamed(dataset("exports"), "profiles", "exports"), job("vip", "profiles")), live
    )
    (move,) = [c for c in p.changes if c.kind == DATASET]
    assert (move.action, move.id, move.moved_from) == (
        Action.UPDATE, dataset_id, ResourceKey(DATASET, "exports")
    )  # fmt: skip
    assert move.after is not None and move.after["tags"][NAME_TAG] == ["profiles"]
    assert move.paths == () and "nothing is created or exported again" in move.reason
    (vip,) = [c for c in p.changes if c.kind != DATASET]
    assert vip.action is Action.NOOP  # no rerun
    assert p.undeclared == () and p.summary()["moved"] == 1
    (finding,) = p.findings
    assert (finding.type, finding.paths) == (FindingType.CHANGED, ("metadata.name",))


def test_a_rename_with_an_edit_is_one_update() -> None:
    live = applied(manifests(dataset("exports")))
    edited = renamed(dataset("exports", description="new words"), "profiles", "gone", "exports")
    (move,) = plan(manifests(edited), live).changes
    assert (move.action, move.paths, move.moved_from) == (
        Action.UPDATE, ("description",), ResourceKey(DATASET, "exports")
    )  # fmt: skip
    assert move.reason.startswith("renamed from exports") and "manifest changed" in move.reason
    assert move.after is not None and move.after["description"] == "new words"


def test_when_the_new_name_exists_the_old_one_is_an_orphan() -> None:
    live = applied(manifests(dataset("exports"), dataset("profiles")))
    p = plan(manifests(renamed(dataset("exports"), "profiles", "exports")), live)
    assert [(c.name, c.action, c.moved_from) for c in p.changes] == [
        ("exports", Action.NOOP, None),
        ("profiles", Action.NOOP, None),
    ]
    assert [c.name for c in p.undeclared] == ["exports"]


def test_a_renamed_job_manifest_keeps_its_jobs() -> None:
    live = applied(manifests(dataset(), job("vip")), job_status="NEW")
    old = live.jobs[0].id
    edited = job("vip-emails", fields="identities.id")  # renamed and changed at once
    moved = dataclasses.replace(edited, previous_names=("vip",))
    (change,) = [c for c in plan(manifests(dataset(), moved), live).changes if c.kind != DATASET]
    assert (change.action, change.cancel_ids) == (Action.REPLACE, (old,))
    # Without previousNames the old job is a removed manifest's, the new one unrelated.
    alone = plan(manifests(dataset(), edited), live)
    assert [(c.name, c.action) for c in alone.undeclared] == [("vip", Action.CANCEL)]
