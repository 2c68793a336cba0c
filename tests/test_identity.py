"""Job identity by id: the inventory grammar, intents resolved, pruning, cancels (no HTTP).

Jobs here answer the way Adobe's examples do unless a test says otherwise: a resolved
``mergePolicy``, no ``evaluationInfo``, and (``sparse``) no ``fields``: nothing in an
answer is the request as sent, so identity can only come from the recorded ids.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aep_reconciler.inventory import LEGACY_TAG, Entry, bound, job_tag, read, recorded
from aep_reconciler.live import LiveState, job_fingerprint
from aep_reconciler.ownership import short_fingerprint
from aep_reconciler.plan import Action, FindingType, Origin, Plan
from tests.test_planner import add_job, applied, dataset, job, manifests, plan

DEFAULT_POLICY = {"id": "00000000-0000-4000-8000-000000000001", "version": 3}


def adobe_answer(body: dict[str, Any], *, sparse: bool = False) -> dict[str, Any]:
    """A job answer shaped like Adobe's examples, for the request ``body``."""
    answer = {k: copy.deepcopy(v) for k, v in body.items() if k != "evaluationInfo"}
    answer["mergePolicy"] = DEFAULT_POLICY
    if sparse:
        answer.pop("fields", None)
    return answer


def echoed(live: LiveState, **shape: bool) -> LiveState:
    """``live`` with every job answering as Adobe's examples show instead of verbatim."""
    jobs = list(live.jobs)
    live.jobs.clear()
    for j in jobs:
        raw = {**adobe_answer(dict(j.request), **shape), "id": int(j.id), "status": j.status}
        add_job(live, {**raw, "creationTime": j.creation_time})
    return live


def acting(p: Plan) -> list[tuple[str, str, str | None]]:
    return [(c.key.name, c.action.value, c.id) for c in p.actionable]


def the_dataset(live: LiveState) -> dict[str, Any]:
    return next(iter(live.datasets.values()))


# --- the grammar ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("0123456789abcdef", Entry("0123456789abcdef")),
        ("0123456789abcdef@1700000000000", Entry("0123456789abcdef", after_ms=1700000000000)),
        ("0123456789abcdef#24115", Entry("0123456789abcdef", "24115")),
        ("0123456789abcdef#7-cancelled", Entry("0123456789abcdef", "7", cancelled=True)),
    ],
)
def test_entries_read_back_as_written(text: str, entry: Entry) -> None:
    assert Entry.parse(text) == entry and entry.text() == text


@pytest.mark.parametrize("text", ["", "xyz", "0123#", "0123@soon", "01 23", "0123#7#8"])
def test_unreadable_entries_are_skipped(text: str) -> None:
    assert Entry.parse(text) is None
    assert read({job_tag("a"): [text, "ab#1"]}) == {"a": [Entry("ab", "1")]}


def test_an_intent_becomes_its_record_and_keeps_what_came_before() -> None:
    values = ["ab#1-cancelled", "cd@500"]
    assert recorded(values, "9") == ["ab#1-cancelled", "cd#9"]
    assert bound(values) == 500 and bound(["cd"]) is None
    with pytest.raises(ValueError):
        recorded(["ab#1"], "9")


def test_the_legacy_tag_is_read_as_intents() -> None:
    found = read({LEGACY_TAG: ["vip=0123456789abcdef", "odd"], job_tag("all"): ["ab#3"]})
    assert found == {"vip": [Entry("0123456789abcdef")], "all": [Entry("ab", "3")]}


# --- identity by id -------------------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
def test_recorded_jobs_are_the_declarations_whatever_the_answers_show(sparse: bool) -> None:
    """Adobe's answers never equal the request; the recorded id still says whose job it is."""
    ms = manifests(dataset(), job("vip"), job("lapsed", fields="identities.id"))
    live = echoed(applied(ms), sparse=sparse)
    p = plan(ms, live)
    assert not p.has_changes and not p.findings


def test_a_changed_declaration_is_told_by_its_digest_not_by_the_answer() -> None:
    ms = manifests(dataset(), job("vip"))
    live = echoed(applied(ms, job_status="NEW"), sparse=True)
    old_id = live.jobs[0].id
    p = plan(manifests(dataset(), job("vip", fields="identities.id")), live)
    (change,) = p.actionable
    assert (change.action, change.cancel_ids) == (Action.REPLACE, (old_id,))
    # the sparse answer has no fields: the plan cannot show which member changed
    assert change.paths == () and change.reason.startswith("spec changed: cancel job")


def test_a_cancel_the_stack_asked_for_is_never_asked_again() -> None:
    """The platform may keep listing a cancelled job as NEW (cancel=linger): it is cancelled."""
    ms = manifests(dataset(), job("vip"), job("gone", fields="identities.id"))
    live = applied(ms, job_status="NEW")
    p = plan(manifests(dataset(), job("vip")), live)
    (cancel,) = p.actionable
    assert cancel.action is Action.CANCEL and cancel.key.name == "gone"
    (write,) = cancel.dataset_patch
    assert write["path"] == "/tags/reconciler-job.gone"
    assert write["value"][0].endswith(f"#{cancel.id}-cancelled")
    the_dataset(live)["tags"][job_tag("gone")] = write["value"]  # applied; the job lingers
    again = plan(manifests(dataset(), job("vip")), live)
    assert not again.has_changes, acting(again)


def test_a_replaced_job_that_lingers_is_not_cancelled_twice() -> None:
    ms = manifests(dataset(), job("vip"))
    live = applied(ms, job_status="NEW")
    edited = manifests(dataset(), job("vip", fields="identities.id"))
    (replace,) = plan(edited, live).actionable
    tags = the_dataset(live)["tags"]
    tags[job_tag("vip")] = recorded(replace.inventory, "900")
    add_job(live, {**dict(replace.after or {}), "id": 900, "status": "NEW", "creationTime": 9000})
    again = plan(edited, live)
    assert not again.has_changes, acting(again)


# --- intents without records ----------------------------------------------------------


def killed_after_create(echo_sparse: bool) -> tuple[Any, LiveState, str]:
    """An apply killed between the create and its record: the intent is all that is left."""
    ms = manifests(dataset(), job("vip"), job("lapsed", fields="identities.id"))
    live = applied(ms)
    ds = the_dataset(live)
    edited = manifests(dataset(), job("vip"), job("lapsed", fields="person.name"))
    (create,) = plan(edited, live).actionable
    ds["tags"][job_tag("lapsed")] = list(create.inventory)  # the intent, no record
    body = {**dict(create.after or {}), "id": 777, "status": "NEW", "creationTime": 9000}
    add_job(live, body)
    return edited, echoed(live, sparse=echo_sparse), "777"


@pytest.mark.parametrize("sparse", [False, True])
def test_an_intent_is_resolved_by_the_job_created_after_it(sparse: bool) -> None:
    edited, live, new_id = killed_after_create(sparse)
    p = plan(edited, live)
    assert not p.has_changes, acting(p)
    assert [c.id for c in p.changes if c.key.name == "lapsed"] == [new_id]


def test_a_job_from_before_the_intent_never_resolves_it() -> None:
    """The intent names the newest job the plan saw: only jobs created after it can be its."""
    ms = manifests(dataset(), job("vip"))
    live = applied(ms)
    ds = the_dataset(live)
    foreign = {**dict(plan(ms).changes[1].after or {}), "id": 50, "status": "SUCCEEDED"}
    foreign["destination"] = {"datasetId": next(iter(live.datasets))}
    add_job(live, {**foreign, "creationTime": 4000})  # older than the stack's job
    ds["tags"][job_tag("vip")] = [f"{ds['tags'][job_tag('vip')][0].split('#')[0]}@6000"]
    p = plan(ms, live)
    (change,) = p.actionable
    assert change.action is Action.CREATE
    assert {f.type for f in p.findings} >= {FindingType.UNMANAGED}


def test_intents_without_a_job_stay_until_their_manifest_writes_again() -> None:
    ms = manifests(dataset(), job("vip"))
    live = applied(ms)
    ds = the_dataset(live)
    live.jobs.clear()  # the create never happened (a 400, or killed before the POST)
    digest = ds["tags"][job_tag("vip")][0].split("#")[0]
    ds["tags"][job_tag("vip")] = [f"{digest}@100", f"{digest}@200"]
    (create,) = plan(ms, live).actionable
    # the older unmatched intent of the same spec goes; the newest stays beside the new one
    assert create.inventory == (f"{digest}@200", digest)


# --- the inventory stays bounded ------------------------------------------------------


def test_records_of_jobs_no_longer_listed_leave_the_tag_when_it_is_written() -> None:
    ms = manifests(dataset(), job("vip"))
    live = applied(ms)
    ds = the_dataset(live)
    (record,) = ds["tags"][job_tag("vip")]
    live.jobs.clear()  # cancelled outside reconciler, and gone from the list
    p = plan(ms, live)
    (create,) = p.actionable
    assert create.origin is Origin.PLATFORM and "outside reconciler" in create.reason
    assert record not in create.inventory and len(create.inventory) == 1


def test_tidying_rides_on_a_change_that_writes_the_dataset_and_is_never_one_itself() -> None:
    ms = manifests(dataset(), job("vip"), job("old", fields="identities.id"))
    live = applied(ms)
    ds = the_dataset(live)
    old_id = next(j.id for j in live.jobs if j.request.get("fields") == "identities.id")
    live.jobs = [j for j in live.jobs if j.id != old_id]  # the old job is long gone
    kept = manifests(dataset(), job("vip"))
    assert not plan(kept, live).has_changes  # a stale tag alone is never a reason to apply
    renamed = manifests(dataset(name="Renamed"), job("vip"))
    (update,) = plan(renamed, live).actionable
    assert {"op": "remove", "path": "/tags/reconciler-job.old"} in update.dataset_patch
    assert ds["tags"][job_tag("old")]  # untouched until the update is applied


def test_the_legacy_tag_is_carried_over_and_removed_on_the_next_write() -> None:
    ms = manifests(dataset(), job("vip"))
    live = applied(ms)
    ds = the_dataset(live)
    (record,) = ds["tags"].pop(job_tag("vip"))
    job_id = record.split("#")[1]
    fp = short_fingerprint(job_fingerprint(dict(live.jobs[0].request)))
    ds["tags"][LEGACY_TAG] = [f"vip={fp}"]  # as reconciler wrote it before ids were recorded
    assert not plan(ms, live).has_changes  # the verbatim answer matches the digest
    (update,) = plan(manifests(dataset(name="Renamed"), job("vip")), live).actionable
    ops = [op for op in update.dataset_patch if "reconciler-job" in op["path"]]
    assert ops == [
        {"op": "add", "path": "/tags/reconciler-job.vip", "value": [f"{fp}#{job_id}"]},
        {"op": "remove", "path": "/tags/reconciler-jobs"},
    ]


def test_a_manifest_whose_tag_was_erased_claims_the_job_that_shows_its_request() -> None:
    """A tool that rewrote the tags map without our inventory: no duplicate export."""
    ms = manifests(dataset(), job("vip"), job("lapsed", fields="identities.id"))
    live = echoed(applied(ms))
    ds = the_dataset(live)
    for name in ("vip", "lapsed"):
        del ds["tags"][job_tag(name)]
    p = plan(ms, live)
    assert not p.has_changes, acting(p)


def test_a_legacy_entry_of_an_older_spec_still_finds_its_job_by_the_verbatim_answer() -> None:
    """Upgrading with a changed manifest: the old job is the old generation, not a stranger."""
    ms = manifests(dataset(), job("vip"))
    live = applied(ms, job_status="NEW")
    ds = the_dataset(live)
    (record,) = ds["tags"].pop(job_tag("vip"))
    fp = short_fingerprint(job_fingerprint(dict(live.jobs[0].request)))
    ds["tags"][LEGACY_TAG] = [f"vip={fp}"]
    p = plan(manifests(dataset(), job("vip", fields="identities.id")), live)
    (change,) = p.actionable
    assert (change.action, change.cancel_ids) == (Action.REPLACE, (record.split("#")[1],))
    assert change.paths == ("fields",)  # a verbatim answer shows what changed
