"""adopt: live dataset → manifest document and YAML, ownership refusals, and the ADOPT change."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aep_reconciler.applier import Applier, Event, Outcome
from aep_reconciler.diagnostics import SourceRange
from aep_reconciler.live import LiveState
from aep_reconciler.manifests.documents import MAX_INTEGER, load_file
from aep_reconciler.manifests.validation import check_document
from aep_reconciler.manifests.writer import manifest_yaml
from aep_reconciler.plan import Action, Plan
from aep_reconciler.planner import make_plan
from aep_reconciler.planner.adopt import (
    adopt_change,
    already_adopted,
    manifest_document,
    manifest_spec,
    mismatches,
    refusal,
)
from aep_reconciler.remote import AepClient
from aep_reconciler.remote.embedded import embedded_connection, embedded_transport
from aep_reconciler.resources import DesiredDataset, Lifecycle, ManifestSet, ResourceKey

LIVE: dict[str, Any] = {
    "name": "Churn: weekly",
    "description": "made in the UI",
    "schemaRef": {
        "id": "https://ns.adobe.com/xdm/context/profile__union",
        "contentType": "application/vnd.adobe.xed+json;version=1",
    },
    "fileDescription": {"persisted": True, "format": "parquet", "rowCount": 12},
    "tags": {
        "team": ["b", "a"],
        "adobe/pqs/table": ["churn"],
        "unifiedProfile": ["enabled:true"],
    },
    "version": "1.0.3",
    "created": 1,
    "state": "ACTIVE",
}


def _round_trip(tmp_path: Path, document: dict[str, Any]) -> Any:
    file = tmp_path / "doc.yaml"
    file.write_text(manifest_yaml(document, ["a comment"]), encoding="utf-8")
    docs, diags = load_file(file, "doc.yaml")
    assert diags == []
    return docs[0].data


def test_the_spec_holds_only_writable_declarable_fields() -> None:
    spec = manifest_spec(LIVE)
    assert spec == {
        "name": "Churn: weekly",
        "description": "made in the UI",
        "schemaRef": LIVE["schemaRef"],
        "fileDescription": {"persisted": True, "format": "parquet"},  # rowCount: not declarable
        "tags": {"team": ["a", "b"]},  # Adobe's tags are not the manifest's to declare
    }


def test_the_written_manifest_loads_and_validates(tmp_path: Path) -> None:
    document = manifest_document("churn", LIVE)
    data = _round_trip(tmp_path, document)
    assert data == document
    file = tmp_path / "doc.yaml"
    docs, _ = load_file(file, "doc.yaml")
    item, diags = check_document(docs[0], {})
    assert diags == []
    assert item is not None


def test_empty_values_are_left_out() -> None:
    spec = manifest_spec({"name": "x", "description": "", "tags": {}, "schemaRef": {"id": "s"}})
    assert spec == {"name": "x", "schemaRef": {"id": "s"}}


_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)


_LOOK_ALIKES = [".5", "1e3", "0x1f", "yes", "on", "null", "~", "2020-01-01", "017", "A\n"]


@pytest.mark.parametrize("text", [*_LOOK_ALIKES, "- a", "?0", "a, b", "\x85", "\u2028"])
def test_names_that_look_like_other_things_read_back_as_the_same_text(
    tmp_path: Path, text: str
) -> None:
    document = {"spec": {"name": text, "tags": {text: [text], "team": ["a", text]}}}
    if text in _LOOK_ALIKES:
        assert f"name: {text}\n" not in manifest_yaml(document)  # quoted, never plain
    assert _round_trip(tmp_path, document) == document


@settings(max_examples=300, deadline=None)
@given(
    name=_TEXT,
    tags=st.dictionaries(_TEXT.filter(bool), st.lists(_TEXT, max_size=3), max_size=3),
    # Manifests hold integers within ±MAX_INTEGER (documents.py refuses larger ones).
    flag=st.booleans() | st.none() | st.integers(-MAX_INTEGER, MAX_INTEGER),
)
def test_any_scalar_survives_the_yaml_writer(
    tmp_path_factory: pytest.TempPathFactory, name: str, tags: dict[str, list[str]], flag: Any
) -> None:
    document = {"spec": {"name": name, "tags": tags, "flag": flag, "nested": {"list": []}}}
    assert _round_trip(tmp_path_factory.mktemp("yaml"), document) == document


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({}, ""),
        ({"reconciler-stack": ["sales"], "reconciler-name": ["x"]}, "managed by stack sales"),
        ({"reconciler-stack": ["mine"], "reconciler-name": ["other"]}, "already manages it as"),
        ({"reconciler-stack": ["mine"], "reconciler-name": ["churn"]}, ""),
        ({"reconciler-stack": ["mine"]}, ""),  # ours, its name tag lost: claimed again
        ({"reconciler-name": ["churn"]}, ""),  # its stack tag lost
    ],
)
def test_refusal(tags: dict[str, list[str]], expected: str) -> None:
    reason = refusal({"tags": tags}, "mine", "churn")
    assert (expected in reason) if expected else reason == ""


def test_already_adopted_means_ours_under_that_name() -> None:
    ours = {"tags": {"reconciler-stack": ["mine"], "reconciler-name": ["churn"]}}
    assert already_adopted(ours, "mine", "churn")
    assert not already_adopted(ours, "mine", "other")
    assert not already_adopted(ours, "theirs", "churn")
    assert not already_adopted({}, "mine", "churn")


def _desired(body: dict[str, Any], ignore: tuple[str, ...] = ()) -> DesiredDataset:
    return DesiredDataset(
        ResourceKey("Dataset", "churn"), body, SourceRange("churn.yaml", 1, 1), Lifecycle(ignore)
    )


def test_mismatches_compare_what_the_manifest_declares() -> None:
    body = {**manifest_spec(LIVE), "description": "made in git"}
    declared, view, paths = mismatches(body, LIVE)
    assert paths == ("description",)
    assert (view["description"], declared["description"]) == ("made in the UI", "made in git")
    assert mismatches(body, LIVE, ("description",))[2] == ()
    assert mismatches(manifest_spec(LIVE), LIVE)[2] == ()


def test_after_adoption_the_planner_sees_nothing_to_do() -> None:
    spec = manifest_spec(LIVE)
    declared = mismatches(spec, LIVE)[0]
    change = adopt_change("mine", "churn", "ds1", LIVE, declared)
    assert (change.action, change.id, change.reason) == (Action.ADOPT, "ds1", "imported")
    tags = dict(change.after["tags"])  # type: ignore[index]
    assert tags["adobe/pqs/table"] == ["churn"] and tags["unifiedProfile"] == ["enabled:true"]
    assert tags["reconciler-stack"] == ["mine"] and tags["reconciler-name"] == ["churn"]
    adopted = {**LIVE, "tags": tags}
    manifests = ManifestSet((_desired(spec),), (), ("churn.yaml",))
    plan = make_plan(manifests, LiveState(datasets={"ds1": adopted}), stack="mine", target="t")
    assert [(c.action, c.id) for c in plan.changes] == [(Action.NOOP, "ds1")]
    assert plan.findings == ()
    before = make_plan(manifests, LiveState(datasets={}), stack="mine", target="t")
    assert [c.action for c in before.changes] == [Action.CREATE]  # not adopted: not ours


def test_readoption_keeps_the_inventory_left_and_adds_the_declared_jobs() -> None:
    inventory = {"reconciler-job.old": ["0123456789abcdef#7"], "reconciler-jobs": ["x=ab"]}
    left = {**LIVE, "tags": {**LIVE["tags"], **inventory}}
    declared = {"reconciler-job.vip": ["fedcba9876543210"], "reconciler-job.old": ["cd"]}
    change = adopt_change("mine", "churn", "ds1", left, {}, declared)
    assert change.after is not None
    tags = change.after["tags"]
    assert {k: v for k, v in tags.items() if k.startswith("reconciler-job")} == {
        **inventory,  # what is left of the inventory stays as it is
        "reconciler-job.vip": ["fedcba9876543210"],  # an intent for a declared job
    }


def test_adoption_refuses_a_dataset_that_moved_after_it_was_read(tmp_path: Path) -> None:
    """The tag rewrite carries If-Match: a change made meanwhile is never overwritten."""

    async def scenario() -> tuple[list[Event], list[Event], dict[str, Any]]:
        transport = embedded_transport(tmp_path / "platform.db")
        async with AepClient(embedded_connection(), transport=transport) as client:
            ds = await client.create_dataset({"name": "x", "schemaRef": {"id": "s"}})
            live, etag = await client.get_dataset(ds)
            declared = mismatches(manifest_spec(live), live)[0]
            change = adopt_change("mine", "x", ds, live, declared)
            await client.patch_dataset(ds, {"description": "moved meanwhile"})
            pinned = dataclasses.replace(change, if_match=etag)
            stale = await Applier(client).apply(Plan("mine", "t", (pinned,)))
            moved, _ = await client.get_dataset(ds)
            _, fresh_etag = await client.get_dataset(ds)
            repinned = dataclasses.replace(change, if_match=fresh_etag)
            fresh = await Applier(client).apply(Plan("mine", "t", (repinned,)))
            return stale.finished(), fresh.finished(), moved

    stale, fresh, moved = asyncio.run(scenario())
    assert [e.outcome for e in stale] == [Outcome.FAILED]
    assert "HTTP 412" in stale[0].message
    assert "reconciler-stack" not in moved.get("tags", {})
    assert [e.outcome for e in fresh] == [Outcome.SUCCEEDED]
