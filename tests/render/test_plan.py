"""The plan's text, JSON and Markdown: golden files for a plan with every kind of change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aep_reconciler.live import live_job
from aep_reconciler.plan import Change, Observation, Plan
from aep_reconciler.render.plan import render
from aep_reconciler.resources import EXPORT_JOB, ResourceKey
from tests import golden
from tests.test_planner import _raw, applied, dataset, job, manifests, plan
from tests.test_recurrence import HOUR, recurring, the_job

GOLDEN = Path(__file__).parent / "golden"


def every_kind_of_change() -> Plan:
    """Update, replace (blocked), create, cancel, a recreated FAILED job, drift and a recurring
    export that is not due yet, at once."""
    before = manifests(
        dataset(),
        dataset("retired", name="Retired"),
        job("vip"),
        job("gone", fields="identities.id"),
        job("lapsed", fields="personalEmail.address"),
    )
    live = applied(before, job_status="PROCESSING")
    for n, old in enumerate(live.jobs):
        status = "FAILED" if old.request.get("fields") == "personalEmail.address" else old.status
        raw = {**_raw(old), "status": status, "errors": [{"code": "x", "msg": "not ready"}]}
        changed = live_job(raw if status == "FAILED" else _raw(old))
        assert changed is not None
        live.jobs[n] = changed
    exports = next(d for d in live.datasets.values() if d["name"] == "Profile Export")
    exports["description"] = "edited by hand | <b>"
    after = manifests(
        dataset(description="Profiles | exported"),
        dataset("fresh", name="Fresh"),
        job("vip", fields="identities.id,person.name"),
        job("lapsed", fields="personalEmail.address"),
    )
    made = plan(after, live, prune=True)
    return dataclasses.replace(
        made,
        changes=(*made.changes, nightly()),
        observation=dataclasses.replace(made.observation, requests=4, seconds=0.25),
        made_by="9.9.9",  # the version varies with every commit (setuptools-scm)
        created="2026-01-02T03:04:05Z",
    )


def nightly() -> Change:
    """A daily export whose last job SUCCEEDED 19 h ago (the planner's no-op for it)."""
    ms_, live = recurring("P1D", at=10 * HOUR)
    live.now_ms = 29 * HOUR
    waiting = the_job(plan(ms_, live))
    return dataclasses.replace(waiting, key=ResourceKey(EXPORT_JOB, "nightly"))


def test_the_plan_has_every_kind_of_change() -> None:
    actions = {c.action.value for c in every_kind_of_change().changes if not c.blocked}
    assert {"create", "update", "replace", "cancel"} <= actions
    assert every_kind_of_change().blocked  # a refused delete shows with its reason


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"), ("markdown", "md")])
def test_the_plan_matches_the_golden_files(fmt: str, ext: str) -> None:
    golden.check_golden(GOLDEN, f"plan.{ext}", render(every_kind_of_change(), fmt))


def test_a_recurring_export_says_when_its_next_job_is_due() -> None:
    waiting = nightly()
    assert waiting.next_due_ms == 34 * HOUR
    line = (
        f"ExportJob/nightly ({waiting.id}): job {waiting.id} SUCCEEDED, last export 19 h ago; "
        "next export in 5 h (at 1970-01-02T10:00:00Z), every 24 h"
    )
    plan_ = every_kind_of_change()
    assert f"Recurring exports, up to date:\n  {line}\n" in render(plan_, "text")
    assert f"#### Recurring exports, up to date\n\n- {line}\n" in render(plan_, "markdown")
    assert Plan.from_json(plan_.to_json()).changes[-1].next_due_ms == 34 * HOUR


def test_an_empty_plan_says_no_changes() -> None:
    empty = Plan("demo", "t", (), observation=Observation(requests=2))
    golden.check_golden(GOLDEN, "no-changes.txt", render(empty, "text"))
