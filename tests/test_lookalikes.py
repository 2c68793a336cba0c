"""A dataset that lost its ownership tags is found before a create duplicates it."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from typing import Any

from aep_reconciler.live import LiveState, find_lookalikes, name_pattern
from aep_reconciler.ownership import NAME_TAG, STACK_TAG
from aep_reconciler.plan import Action, FindingType, Origin, PlanOptions
from aep_reconciler.planner.safety import duplicates_a_live_dataset
from tests.test_planner import applied, dataset, job, manifests, plan


def lost_tags(live: LiveState, keep: Sequence[str] = ()) -> tuple[str, LiveState]:
    """``live`` after a tags PATCH replaced the map: the dataset keeps only ``keep`` tags."""
    ((dataset_id, ds),) = live.datasets.items()
    ds = copy.deepcopy(ds)
    ds["tags"] = {"team": ["marketing"], **{k: ds["tags"][k] for k in keep}}
    after = LiveState(jobs=live.jobs)
    if STACK_TAG in keep:
        after.datasets[dataset_id] = ds  # still listed by the stack's tag filter
    else:
        after.lookalikes[dataset_id] = ds  # found only by its display name
    return dataset_id, after


def test_a_dataset_without_its_tags_blocks_the_create_and_its_jobs() -> None:
    ms = manifests(dataset(), job())
    dataset_id, live = lost_tags(applied(ms))
    p = plan(ms, live)
    create, export = p.changes
    assert create.action is Action.CREATE and export.action is Action.CREATE
    assert create.blocked == (
        f'dataset "Profile Export" already exists ({dataset_id}), its ownership tags are gone: '
        f"`reconciler import Dataset exports {dataset_id}` or `--allow-duplicate`"
    )
    assert export.blocked == "needs Dataset/exports, which is blocked"
    (missing,) = [f for f in p.findings if f.kind == "Dataset"]
    assert (missing.type, missing.id, missing.origin) == (
        FindingType.MISSING, dataset_id, Origin.PLATFORM
    )  # fmt: skip
    assert missing in p.drift  # someone else's doing: drift says so
    assert plan(ms, live, allow_duplicate=True).blocked == ()


def test_stack_tag_left_but_name_tag_gone_is_a_lookalike_too() -> None:
    ms = manifests(dataset())
    dataset_id, live = lost_tags(applied(ms), keep=[STACK_TAG])
    p = plan(ms, live)
    create = next(c for c in p.changes if c.action is Action.CREATE)
    assert f"already exists ({dataset_id}), its ownership tags are gone" in create.blocked
    assert [c.id for c in p.undeclared] == [dataset_id]  # and an orphan, kept


def test_a_rename_without_previous_names_points_at_them() -> None:
    live = applied(manifests(dataset("exports")))
    p = plan(manifests(dataset("profiles")), live)
    create = next(c for c in p.changes if c.action is Action.CREATE)
    assert "as Dataset/exports, which no manifest declares: list exports in " in create.blocked
    assert "metadata.previousNames" in create.blocked


def test_what_does_not_block() -> None:
    ms = manifests(dataset())
    _, live = lost_tags(applied(ms))
    (ds,) = live.lookalikes.values()
    other_schema = copy.deepcopy(ds)
    other_schema["schemaRef"]["id"] = "https://ns.adobe.com/acme/schemas/other"
    theirs = copy.deepcopy(ds)
    theirs["tags"] = {STACK_TAG: ["someone-else"], NAME_TAG: ["exports"]}
    renamed = copy.deepcopy(ds)
    renamed["name"] = "Renamed by hand"
    other_format = copy.deepcopy(ds)
    del other_format["fileDescription"]  # a namesake someone made by hand, not ours
    for candidate in (other_schema, theirs, renamed, other_format):
        live.lookalikes = {"x" * 24: candidate}
        assert plan(ms, live).blocked == (), candidate


def test_the_rule_alone() -> None:
    ms = manifests(dataset())
    _, live = lost_tags(applied(ms))
    (create,) = plan(ms, LiveState()).changes
    assert "already exists" in duplicates_a_live_dataset(create, live, ms, PlanOptions())
    assert duplicates_a_live_dataset(create, LiveState(), ms, PlanOptions()) == ""


class Names:
    """A Listing that answers name-filtered lists from a fixed set, counting calls."""

    def __init__(self, datasets: Mapping[str, dict[str, Any]]) -> None:
        self.datasets = datasets
        self.calls: list[str] = []

    async def list_datasets(self, *, name: str | None = None, **_: Any) -> dict[str, Any]:
        assert name is not None
        self.calls.append(name)
        return dict(self.datasets)  # a superset: the caller compares exactly

    def iter_export_job_pages(self, **_: Any) -> Any:
        raise AssertionError("not used")

    def iter_export_job_range(self, **_: Any) -> Any:
        raise AssertionError("not used")


def test_one_request_finds_every_lookalike_and_names_match_exactly() -> None:
    client = Names(
        {
            "a" * 24: {"name": "Scores, weekly"},
            "b" * 24: {"name": "Scores* weekly"},
            "c" * 24: {"name": "Profile Export"},
            "d" * 24: {"name": "Owned"},
        }
    )
    names = [f"n{i}" for i in range(150)] + ["Scores, weekly", "Profile Export", "Owned"]
    found = asyncio.run(find_lookalikes(client, names, {"d" * 24: {}}))
    assert set(found) == {"a" * 24, "c" * 24}
    assert len(client.calls) == 2  # 153 names, 100 a request
    assert name_pattern("Scores, weekly") == "Scores* weekly"
    assert name_pattern("5* rating") == "5** rating"
    assert asyncio.run(find_lookalikes(client, [], {})) == {} and len(client.calls) == 2
