"""The plan's text, JSON and Markdown: golden files for a plan with every kind of change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reconciler.live import live_job
from reconciler.plan import Observation, Plan
from reconciler.render.plan import render
from tests import golden
from tests.test_planner import _raw, applied, dataset, job, manifests, plan

GOLDEN = Path(__file__).parent / "golden"


def every_kind_of_change() -> Plan:
    """Update, replace (blocked), create, cancel, a recreated FAILED job and drift, at once."""
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
        observation=dataclasses.replace(made.observation, requests=4, seconds=0.25),
        made_by="9.9.9",  # the version varies with every commit (setuptools-scm)
        created="2026-01-02T03:04:05Z",
    )


def test_the_plan_has_every_kind_of_change() -> None:
    actions = {c.action.value for c in every_kind_of_change().changes if not c.blocked}
    assert {"create", "update", "replace", "cancel"} <= actions
    assert every_kind_of_change().blocked  # a refused delete shows with its reason


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"), ("markdown", "md")])
def test_the_plan_matches_the_golden_files(fmt: str, ext: str) -> None:
    golden.check_golden(GOLDEN, f"plan.{ext}", render(every_kind_of_change(), fmt))


def test_an_empty_plan_says_no_changes() -> None:
    empty = Plan("demo", "t", (), observation=Observation(requests=2))
    golden.check_golden(GOLDEN, "no-changes.txt", render(empty, "text"))
