"""Planner tables: (desired, live) → changes and findings, no HTTP."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from aep_reconciler.diagnostics import SourceRange
from aep_reconciler.inventory import job_tag, recorded
from aep_reconciler.live import LiveState, live_job
from aep_reconciler.ownership import STACK_TAG
from aep_reconciler.plan import Action, FindingType, Origin, Plan, PlanOptions
from aep_reconciler.planner import make_plan
from aep_reconciler.resources import (
    DATASET,
    EXPORT_JOB,
    DesiredDataset,
    DesiredExportJob,
    Lifecycle,
    ManifestSet,
    ResourceKey,
)

STACK = "demo"
SRC = SourceRange("specs/x.yaml", 1, 1)
UNION = "https://ns.adobe.com/xdm/context/profile__union"


def dataset(key: str = "exports", **body: Any) -> DesiredDataset:
    spec = {
        "name": "Profile Export",
        "schemaRef": {"id": UNION, "contentType": "application/vnd.adobe.xed+json;version=1"},
        "fileDescription": {"persisted": True, "format": "parquet"},
        "tags": {"team": ["marketing"]},
        **body,
    }
    return DesiredDataset(ResourceKey(DATASET, key), spec, SRC, Lifecycle())


def job(name: str = "vip", dataset_ref: str | None = "exports", **extra: Any) -> DesiredExportJob:
    lifecycle = extra.pop("lifecycle", Lifecycle())
    dest: dict[str, Any] = {"dataset": dataset_ref} if dataset_ref else {}
    dest.update(extra.pop("destination", {}))
    body = {
        "fields": "identities.id,personalEmail.address",
        "filter": {"segments": [{"segmentId": "seg-1"}]},
        "destination": dest,
        "schema": {"name": "_xdm.context.profile"},
        **extra,
    }
    return DesiredExportJob(ResourceKey(EXPORT_JOB, name), body, dataset_ref, SRC, lifecycle)


def manifests(*items: DesiredDataset | DesiredExportJob) -> ManifestSet:
    return ManifestSet(
        tuple(i for i in items if isinstance(i, DesiredDataset)),
        tuple(i for i in items if isinstance(i, DesiredExportJob)),
        ("specs/x.yaml",),
    )


def plan(ms: ManifestSet, live: LiveState | None = None, **opts: Any) -> Plan:
    return make_plan(ms, live or LiveState(), stack=STACK, target="t", options=PlanOptions(**opts))


def actions(p: Plan) -> dict[str, str]:
    return {
        f"{c.key}{'#' + c.id if c.id and c.kind == EXPORT_JOB else ''}": c.action.value
        for c in p.changes
    }


def applied(ms: ManifestSet, *, job_status: str = "SUCCEEDED") -> LiveState:
    """The live state right after applying ``ms`` to an empty platform (as the emulator answers):
    datasets as created, jobs echoing their request, each recorded by id in its inventory."""
    live = LiveState()
    first = plan(ms)
    ids: dict[str, str] = {}
    for n, change in enumerate(first.changes):
        if change.kind == DATASET and change.action is Action.CREATE:
            ds_id = f"ds{n:022d}"
            ids[change.name] = ds_id
            live.datasets[ds_id] = {
                **copy.deepcopy(dict(change.after or {})),
                "version": "1.0.0",
                "created": 1000 + n,
                "fileDescription": {
                    **(change.after or {}).get("fileDescription", {}),
                    "containerFormat": "parquet",  # a default the platform fills in
                },
            }
    for n, change in enumerate(first.changes):
        if change.kind == EXPORT_JOB and change.action is Action.CREATE:
            body = copy.deepcopy(dict(change.after or {}))
            dest = body["destination"]
            ref = dest.pop("dataset", None)
            dest["dataSetId"] = ids[ref] if ref else dest.pop("datasetId")
            raw = {**body, "id": 100 + n, "status": job_status, "creationTime": 5000 + n}
            add_job(live, raw)
            ds = live.datasets.get(dest["dataSetId"])
            if ds is not None and change.inventory:
                ds["tags"][job_tag(change.name)] = recorded(change.inventory, str(100 + n))
    return live


def record(live: LiveState, name: str, job_id: str) -> None:
    """Record one more job of manifest ``name`` in its dataset's inventory (same spec)."""
    for ds in live.datasets.values():
        values = ds["tags"].get(job_tag(name))
        if values:
            values.append(f"{values[0].split('#')[0]}#{job_id}")


def add_job(live: LiveState, raw: dict[str, Any]) -> None:
    parsed = live_job(raw)
    assert parsed is not None
    live.jobs.append(parsed)
    live.jobs.sort(key=lambda j: -j.creation_time)


def test_empty_platform_creates_everything_in_dependency_order() -> None:
    p = plan(manifests(dataset(), job()))
    assert actions(p) == {"Dataset/exports": "create", "ExportJob/vip": "create"}
    ds, jb = p.changes
    assert ds.after is not None and ds.after["tags"][STACK_TAG] == [STACK]
    assert ds.after["tags"]["reconciler-name"] == ["exports"]
    (intent,) = ds.after["tags"][job_tag("vip")]
    assert re.fullmatch("[0-9a-f]{16}", intent)  # the intent: a spec digest, no job id yet
    assert jb.inventory == (intent,)
    assert jb.depends_on == (ResourceKey(DATASET, "exports"),)
    assert jb.after is not None and jb.after["destination"] == {"dataset": "exports"}
    assert jb.dataset_patch == ()  # the new dataset carries the inventory already
    assert {f.type for f in p.findings} == {FindingType.MISSING}
    assert p.drift == ()  # never applied is not drift


def test_applied_state_is_in_sync() -> None:
    ms = manifests(dataset(), job())
    p = plan(ms, applied(ms))
    assert sorted(str(c.key) for c in p.changes) == ["Dataset/exports", "ExportJob/vip"]
    assert all(c.action is Action.NOOP for c in p.changes)
    assert p.findings == ()
    assert not p.has_changes


def test_manifest_edit_is_a_config_update_with_paths() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    p = plan(manifests(dataset(description="new words"), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert (change.action, change.paths, change.origin) == (
        Action.UPDATE,
        ("description",),
        Origin.CONFIG,
    )
    assert change.after is not None and change.after["description"] == "new words"
    assert change.after["tags"][STACK_TAG] == [STACK]  # ownership survives the rewrite
    assert p.drift == ()


def test_rename_on_the_platform_is_drift_reverted() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    ds = next(iter(live.datasets.values()))
    ds["name"] = "Renamed by hand"
    p = plan(ms, live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert (change.action, change.paths, change.origin) == (
        Action.UPDATE,
        ("name",),
        Origin.PLATFORM,
    )
    assert change.before == {"name": "Renamed by hand"}
    (finding,) = p.drift
    assert (finding.type, finding.paths) == (FindingType.CHANGED, ("name",))


def test_edit_on_both_sides_is_marked_both() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    next(iter(live.datasets.values()))["name"] = "by hand"
    p = plan(manifests(dataset(name="in git"), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert change.origin is Origin.BOTH


def test_platform_filled_defaults_and_adobe_tags_are_not_differences() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    ds = next(iter(live.datasets.values()))
    ds["tags"]["adobe/pqs/table"] = ["x"]
    ds["tags"]["unifiedProfile"] = ["enabled:true"]
    ds["version"] = "1.0.7"
    assert not plan(ms, live).has_changes


def test_tag_update_keeps_adobe_tags_and_inventory() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    ds = next(iter(live.datasets.values()))
    ds["tags"]["adobe/pqs/table"] = ["x"]
    p = plan(manifests(dataset(tags={"team": ["growth"]}), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert change.paths == ("tags.team",)
    assert change.after is not None
    tags = change.after["tags"]
    assert tags["adobe/pqs/table"] == ["x"]
    assert tags["team"] == ["growth"]
    # sent as JSON Patch, key by key: the user's tag and our spec digests, nothing else
    assert [(op["op"], op["path"]) for op in change.dataset_patch] == [
        ("add", "/tags/reconciler-spec"),
        ("add", "/tags/team"),
    ]
    assert change.dataset_patch[1]["value"] == ["growth"]


def test_a_tag_the_manifest_drops_is_removed_with_json_patch() -> None:
    """Never a field-form PATCH of tags: under a merge the dropped tag would stay forever."""
    ms = manifests(dataset(tags={"team": ["growth"], "tier": ["gold"]}), job())
    live = applied(ms)
    p = plan(manifests(dataset(tags={"team": ["growth"]}), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert change.paths == ("tags.tier",)
    ops = [(op["op"], op["path"]) for op in change.dataset_patch]
    assert ops == [("add", "/tags/reconciler-spec"), ("remove", "/tags/tier")]


def test_a_changed_name_is_set_with_json_patch_beside_the_tags() -> None:
    live = applied(manifests(dataset(), job()))
    p = plan(manifests(dataset(name="Renamed"), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    assert {"op": "add", "path": "/name", "value": "Renamed"} in change.dataset_patch
    assert all(not op["path"].startswith("/tags/reconciler-job") for op in change.dataset_patch)


def test_schema_change_is_a_replace_blocked_without_allow_destroy() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    other = {
        "id": "https://ns.adobe.com/acme/schemas/x",
        "contentType": "application/vnd.adobe.xed+json;version=1",
    }
    edited = manifests(dataset(schemaRef=other), job())
    blocked = plan(edited, live)
    (change,) = [c for c in blocked.changes if c.kind == DATASET]
    assert change.action is Action.REPLACE and change.paths == ("schemaRef.id",)
    assert "--allow-destroy" in change.blocked
    assert blocked.has_changes and change not in blocked.actionable
    allowed = plan(edited, live, allow_destroy=True)
    (change,) = [c for c in allowed.changes if c.kind == DATASET]
    assert change.blocked == "" and change in allowed.actionable
    jobs = [c for c in allowed.changes if c.kind == EXPORT_JOB]
    exports = ResourceKey(DATASET, "exports")
    assert [(c.action, c.depends_on) for c in jobs] == [(Action.CREATE, (exports,))]


def test_orphaned_dataset_is_reported_and_pruned_only_when_asked() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms, job_status="PROCESSING")
    gone = manifests()
    quiet = plan(gone, live, allow_empty=True)
    assert {(f.kind, f.type) for f in quiet.findings} >= {(DATASET, FindingType.ORPHANED)}
    (kept,) = [c for c in quiet.changes if c.kind == DATASET]
    assert (kept.action, kept.undeclared) == (Action.NOOP, True)
    assert "--prune --allow-destroy deletes it" in kept.reason  # what it takes, on screen
    assert quiet.summary()["no-op"] == 0 and quiet.summary()["undeclared"] == 2
    pruned = plan(gone, live, prune=True, allow_empty=True)
    (delete,) = [c for c in pruned.changes if c.kind == DATASET]
    assert delete.action is Action.DELETE and "--allow-destroy" in delete.blocked
    ok = plan(gone, live, prune=True, allow_empty=True, allow_destroy=True)
    (delete,) = [c for c in ok.changes if c.kind == DATASET]
    assert delete.blocked == "" and delete.cancel_ids == (live.jobs[0].id,)
    # The job goes with its dataset: no second cancel of it.
    assert [c for c in ok.changes if c.kind == EXPORT_JOB] == []


def test_empty_manifest_set_never_removes_everything() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms, job_status="NEW")
    p = plan(manifests(), live, prune=True, allow_destroy=True)
    destructive = [c for c in p.changes if c.action.destructive]
    assert destructive and all("--allow-empty" in c.blocked for c in destructive)


def test_max_deletes_blocks_every_destructive_change() -> None:
    ms = manifests(dataset(), job("a"), job("b", fields="identities.id"))
    live = applied(ms, job_status="NEW")
    p = plan(manifests(dataset()), live, max_deletes=1)
    cancels = [c for c in p.changes if c.action is Action.CANCEL]
    assert len(cancels) == 2 and all("--max-deletes 1" in c.blocked for c in cancels)


def test_max_deletes_counts_each_cancelled_job() -> None:
    ms = manifests(dataset(), job("a"))
    live = applied(ms, job_status="NEW")
    again = live_job({**_raw(live.jobs[0]), "id": 7, "creationTime": 1})
    assert again is not None
    live.jobs.append(again)  # an older job of the same manifest, still running
    record(live, "a", "7")
    (cancel,) = plan(manifests(dataset()), live, max_deletes=1).changes[1:]
    assert cancel.cancel_ids == (live.jobs[0].id, "7")
    assert "2 destructive changes exceed --max-deletes 1" in cancel.blocked


@pytest.mark.parametrize(
    ("status", "expected"),
    [("NEW", "no-op"), ("PROCESSING", "no-op"), ("SUCCEEDED", "no-op"), ("FAILED", "create")],
)
def test_job_status_decides_whether_to_create_again(status: str, expected: str) -> None:
    ms = manifests(dataset(), job())
    p = plan(ms, applied(ms, job_status=status))
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert change.action.value == expected
    if status == "FAILED":
        assert "FAILED" in change.reason and change.origin is Origin.PLATFORM
        assert [f.type for f in p.drift] == [FindingType.FAILED]
        # the applier must never take the FAILED job for the one it creates
        assert change.known_job_ids == (p.findings[0].id,) and change.known_job_ids[0]


def test_failed_job_is_left_when_the_manifest_opts_out() -> None:
    ms = manifests(dataset(), job(lifecycle=Lifecycle(recreate_on_failure=False)))
    p = plan(ms, applied(ms, job_status="FAILED"))
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert change.action is Action.NOOP and "recreateOnFailure" in change.reason
    assert [f.type for f in p.findings] == [FindingType.FAILED]


def test_changed_job_spec_replaces_an_active_job() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms, job_status="PROCESSING")
    old_id = live.jobs[0].id
    p = plan(manifests(dataset(), job(fields="identities.id")), live)
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert (change.action, change.cancel_ids, change.paths) == (
        Action.REPLACE,
        (old_id,),
        ("fields",),
    )
    # before the create: the old job marked cancelled, and the new job's intent
    (write,) = change.dataset_patch
    assert write["path"] == "/tags/reconciler-job.vip"
    old_record, new_intent = write["value"]
    assert old_record.endswith(f"#{old_id}-cancelled") and "#" not in new_intent
    assert change.inventory == tuple(write["value"])
    assert change.after is not None
    assert change.after["destination"]["datasetId"] == next(iter(live.datasets))


def test_changed_job_spec_after_the_old_one_finished_is_a_create() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms, job_status="SUCCEEDED")
    p = plan(manifests(dataset(), job(fields="identities.id")), live)
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert change.action is Action.CREATE and "history" in change.reason
    assert change.cancel_ids == ()


def test_equivalent_job_spelling_is_not_a_change() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    same = job(
        fields="personalEmail.address, identities.id",
        filter={
            "segments": [
                {"segmentId": "seg-1", "segmentNs": "ups", "status": ["existing", "realized"]}
            ]
        },
    )
    assert not plan(manifests(dataset(), same), live).has_changes


def test_job_deleted_by_hand_is_created_again_as_drift() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    live.jobs.clear()
    p = plan(ms, live)
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert change.action is Action.CREATE and change.origin is Origin.PLATFORM
    assert [(f.type, f.name) for f in p.drift] == [(FindingType.MISSING, "vip")]


def test_foreign_job_in_managed_dataset_is_unmanaged_and_untouched() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    ds_id = next(iter(live.datasets))
    foreign = live_job(
        {
            "id": 999,
            "status": "PROCESSING",
            "creationTime": 9999,
            "fields": "identities.id",
            "destination": {"datasetId": ds_id},
            "schema": {"name": "_xdm.context.profile"},
        }
    )
    assert foreign is not None
    live.jobs.insert(0, foreign)
    p = plan(ms, live)
    assert not [c for c in p.changes if c.action is not Action.NOOP]
    assert [(f.type, f.id) for f in p.drift] == [(FindingType.UNMANAGED, "999")]


def test_an_acknowledged_foreign_job_is_reported_not_drift_and_a_gone_one_is_a_note() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    ds_id = next(iter(live.datasets))
    foreign = live_job(
        {"id": 999, "status": "SUCCEEDED", "creationTime": 9999, "fields": "identities.id",
         "destination": {"datasetId": ds_id}, "schema": {"name": "_xdm.context.profile"}}
    )  # fmt: skip
    assert foreign is not None
    live.jobs.insert(0, foreign)
    p = plan(ms, live, acknowledged=("999", "555"))
    assert p.drift == () and not p.actionable
    assert [(f.type, f.id) for f in p.findings] == [(FindingType.ACKNOWLEDGED, "999")]
    assert p.notes == (
        "acknowledged export job 555 is no longer listed in the stack's datasets; "
        "it can be removed from acknowledge.exportJobs",
    )
    # an id the stack manages itself is neither acknowledged nor a note
    own = next(j.id for j in live.jobs if j.id != "999")
    mine = plan(ms, live, acknowledged=(own,))
    assert mine.notes == () and [f.type for f in mine.findings] == [FindingType.UNMANAGED]


def test_removed_job_manifest_cancels_only_active_jobs() -> None:
    ms = manifests(dataset(), job("a"), job("b", fields="identities.id"))
    live = applied(ms, job_status="PROCESSING")
    done = next(j for j in live.jobs if j.request.get("fields") == "identities.id")
    succeeded = live_job({**_raw(done), "status": "SUCCEEDED"})
    assert succeeded is not None
    live.jobs[live.jobs.index(done)] = succeeded
    p = plan(manifests(dataset()), live)
    cancels = [c for c in p.changes if c.action is Action.CANCEL]
    assert [(c.name, c.cancel_ids) for c in cancels] == [
        ("a", (next(j.id for j in live.jobs if j.active),))
    ]
    (history,) = [c for c in p.changes if c.name == "b"]
    assert (history.action, history.undeclared, history.id) == (Action.NOOP, True, done.id)
    assert history.reason == f"manifest removed; job {done.id} stays as history"
    assert {c.name for c in p.undeclared} == {"a", "b"}


def test_a_removed_manifest_with_many_jobs_is_one_change() -> None:
    ms = manifests(dataset(), job("a"))
    live = applied(ms, job_status="NEW")
    first = live.jobs[0]
    for n in range(1, 8):  # older generations of the same request, still running
        older = live_job({**_raw(first), "id": 10 + n, "creationTime": 100 + n})
        assert older is not None
        live.jobs.append(older)
        record(live, "a", str(10 + n))
    p = plan(manifests(dataset()), live)
    (cancel,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    assert cancel.action is Action.CANCEL and len(cancel.cancel_ids) == 8
    assert f"jobs {first.id}, 11, 12, 13, 14 (+3 more) still NEW: cancel" in cancel.reason


def test_literal_dataset_id_jobs_are_matched_inside_that_dataset() -> None:
    literal = job("ext", dataset_ref=None, destination={"datasetId": "foreign0000000000000000"})
    p = plan(manifests(literal))
    (change,) = p.changes
    assert change.action is Action.CREATE and change.dataset_patch == ()
    assert change.after is not None
    assert change.after["destination"] == {"datasetId": "foreign0000000000000000"}


def test_ignore_fields_hide_a_difference_and_are_counted() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    next(iter(live.datasets.values()))["name"] = "by hand"
    p = plan(ms, live, ignore_fields={DATASET: ("name",)})
    assert not p.has_changes
    assert p.ignored == {"Dataset/exports": 1}


def _raw(j: Any) -> dict[str, Any]:
    return {**j.request, "id": j.id, "status": j.status, "creationTime": j.creation_time}


def test_export_job_ignore_fields_take_no_part_in_matching_and_are_counted() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    flipped = job(evaluationInfo={"segmentation": True})
    assert plan(manifests(dataset(), flipped), live).has_changes  # a real change...
    quiet = job(
        evaluationInfo={"segmentation": True},
        lifecycle=Lifecycle(ignore_fields=("evaluationInfo",)),
    )
    p = plan(manifests(dataset(), quiet), live)
    assert not p.has_changes  # ...unless the manifest ignores that field
    assert p.ignored == {"ExportJob/vip": 1}
    by_target = plan(
        manifests(dataset(), flipped), live, ignore_fields={EXPORT_JOB: ("evaluationInfo",)}
    )
    assert not by_target.has_changes and by_target.ignored == {"ExportJob/vip": 1}


def test_jobs_stay_with_a_dataset_whose_replacement_is_refused() -> None:
    ms = manifests(dataset(), job())
    live = applied(ms)
    other = {"id": "https://ns.adobe.com/acme/schemas/x"}
    p = plan(manifests(dataset(schemaRef=other), job()), live)
    by_kind = {c.kind: c for c in p.changes}
    assert by_kind[DATASET].action is Action.REPLACE and by_kind[DATASET].blocked
    assert by_kind[EXPORT_JOB].action is Action.NOOP  # still matched in the current dataset
    assert p.actionable == ()


def test_a_change_that_needs_a_blocked_one_is_blocked_too() -> None:
    from aep_reconciler.plan import Change
    from aep_reconciler.planner.safety import waits_for_blocked

    exports = ResourceKey(DATASET, "exports")
    job_change = Change(ResourceKey(EXPORT_JOB, "vip"), Action.CREATE, "", depends_on=(exports,))
    held = waits_for_blocked(job_change, {exports})
    assert held.blocked == "needs Dataset/exports, which is blocked"
    assert waits_for_blocked(job_change, set()) is job_change


def test_tag_keys_are_escaped_as_json_pointers() -> None:
    live = applied(manifests(dataset(tags={"team/eu": ["a"], "x~y": ["b"]}), job()))
    p = plan(manifests(dataset(tags={"x~y": ["c"]}), job()), live)
    (change,) = [c for c in p.changes if c.action is not Action.NOOP]
    paths = [op["path"] for op in change.dataset_patch]
    assert paths == ["/tags/reconciler-spec", "/tags/team~1eu", "/tags/x~0y"]
