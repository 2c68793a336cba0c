"""Drift reports: golden Markdown, JSON and text for findings of every type, and the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aep_reconciler.commands.drift import exit_code, targets_of
from aep_reconciler.plan import Endpoint, Finding, FindingType, Origin, Plan
from aep_reconciler.render.drift import TargetReport, field_changes, render, report_json
from tests import golden

GOLDEN = Path(__file__).parent / "golden"

DATASET_ID = "5c8c3c555033b814b69f947f"
FINDINGS = (
    Finding(
        "Dataset",
        "profile-export",
        FindingType.CHANGED,
        id=DATASET_ID,
        paths=("description", "tags.team"),
        detail="changed on the platform outside reconciler",
        live={"description": "edited | by <hand>", "tags": {"team": ["sales"]}},
        declared={"description": "Profiles exported", "tags": {"team": ["marketing"]}},
    ),
    Finding(
        "Dataset",
        "retired",
        FindingType.ORPHANED,
        id="5c8c3c555033b814b69f9480",
        detail="owned by this stack, no manifest declares it",
        origin=Origin.CONFIG,
    ),
    Finding(
        "ExportJob",
        "all-profiles",
        FindingType.FAILED,
        id="12",
        detail="latest job 12 FAILED: dataset is not profile-ready",
    ),
    Finding(
        "ExportJob",
        "nightly-profiles",
        FindingType.STALE,
        id="9",
        detail="last export 26 h ago, every 24 h",
    ),
    Finding(
        "ExportJob",
        "job-13",
        FindingType.UNMANAGED,
        id="13",
        detail=f"created outside reconciler into managed dataset {DATASET_ID} (NEW)",
        live={"fields": "identities.id"},
    ),
    Finding(
        "ExportJob",
        "job-14",
        FindingType.ACKNOWLEDGED,
        id="14",
        detail=f"created outside reconciler into managed dataset {DATASET_ID} (SUCCEEDED)",
        live={"fields": "person.name"},
    ),
    Finding(
        "ExportJob",
        "lapsed-customers",
        FindingType.CHANGED,
        id="11",
        paths=("filter.segments",),
        detail="the declaration changed since the job was created",
        live={"filter": {"segments": [{"segmentId": "b2", "status": ["exited"]}]}},
        declared={"filter": {"segments": [{"segmentId": "b2", "status": ["realized"]}]}},
        origin=Origin.CONFIG,
    ),
    Finding(
        "ExportJob",
        "vip-emails",
        FindingType.MISSING,
        detail="its job was cancelled or deleted outside reconciler",
    ),
)
STAGING = Endpoint("https://platform.adobe.io", "1BD6382559DF0C130A49422D@AdobeOrg", "staging")
LOCAL = Endpoint(".reconciler/platform.db", "embedded@AdobeOrg", "prod", embedded=True)
DRIFTED = TargetReport(
    "staging",
    "marketing-exports",
    FINDINGS,
    {"Dataset/profile-export": 1, "ExportJob/x": 2},
    endpoint=STAGING,
    notes=("acknowledged export job 7 is no longer listed in the stack's datasets",),
)
CLEAN = TargetReport(
    "local", "marketing-exports", (), {"Dataset/profile-export": 1}, endpoint=LOCAL
)
BROKEN = TargetReport("prod", "marketing-exports", error="GET /export/jobs failed: HTTP 503")


def check_golden(name: str, text: str) -> None:
    golden.check_golden(GOLDEN, name, text)


@pytest.mark.parametrize("fmt,ext", [("markdown", "md"), ("json", "json"), ("text", "txt")])
def test_several_targets_match_the_golden_files(fmt: str, ext: str) -> None:
    check_golden(f"targets.{ext}", render([DRIFTED, CLEAN, BROKEN], fmt))


@pytest.mark.parametrize("fmt,ext", [("markdown", "md"), ("json", "json"), ("text", "txt")])
def test_one_target_matches_the_golden_files(fmt: str, ext: str) -> None:
    check_golden(f"single.{ext}", render([DRIFTED], fmt))


def test_single_target_json_keeps_top_level_findings_of_issue_5() -> None:
    data = json.loads(report_json([DRIFTED]))
    assert data["format_version"] == "1.0"
    assert data["findings"] == data["targets"][0]["findings"]
    keys = {"kind", "name", "id", "type", "paths", "live", "declared", "detail"}
    assert all(keys <= set(f) for f in data["findings"])
    assert [f["type"] for f in data["findings"]] == [f.type.value for f in FINDINGS]
    several = json.loads(report_json([DRIFTED, CLEAN]))
    assert "findings" not in several and several["in_sync"] is False


def test_field_changes_pair_live_and_declared_values_per_path() -> None:
    assert field_changes(FINDINGS[0]) == [
        ("description", "edited | by <hand>", "Profiles exported"),
        ("tags.team", ["sales"], ["marketing"]),
    ]
    assert field_changes(FINDINGS[2]) == []


def test_every_ignore_is_counted_in_every_format() -> None:
    assert CLEAN.in_sync and CLEAN.ignored_total == 1
    assert "1 field(s) ignored by ignoreFields" in render([CLEAN], "text")
    assert "`Dataset/profile-export`: 1" in render([CLEAN], "markdown")
    assert json.loads(render([CLEAN], "json"))["targets"][0]["ignored"] == {
        "Dataset/profile-export": 1
    }


def test_report_from_a_plan_keeps_its_findings_and_ignores() -> None:
    plan = Plan("marketing-exports", "staging", (), FINDINGS, ignored={"Dataset/a": 3})
    report = TargetReport.from_plan(plan)
    assert (report.target, report.findings, dict(report.ignored)) == (
        "staging",
        FINDINGS,
        {"Dataset/a": 3},
    )
    assert report.counts() == {
        "missing": 1,
        "changed": 2,
        "failed": 1,
        "stale": 1,
        "unmanaged": 1,
        "orphaned": 1,
        "acknowledged": 1,
    }


def test_acknowledged_jobs_and_notes_alone_are_in_sync_in_every_format() -> None:
    acknowledged = tuple(f for f in FINDINGS if f.type is FindingType.ACKNOWLEDGED)
    note = "acknowledged export job 7 is no longer listed in the stack's datasets"
    plan = Plan("marketing-exports", "local", (), acknowledged, notes=(note,))
    report = TargetReport.from_plan(plan)
    assert report.in_sync and plan.drift == ()
    assert exit_code([report]) == 0
    text = render([report], "text")
    assert "  acknowledged ExportJob/job-14 (14)" in text
    assert f"  note: {note}" in text
    assert "Drift local: in sync; 1 acknowledged." in text
    data = json.loads(render([report], "json"))
    assert data["in_sync"] is True and data["targets"][0]["notes"] == [note]
    assert data["targets"][0]["counts"]["acknowledged"] == 1
    assert "**in sync; 1 acknowledged**" in render([report], "markdown")
    unmanaged = Finding("ExportJob", "job-15", FindingType.UNMANAGED, id="15")
    assert exit_code([TargetReport.from_plan(Plan("s", "t", (), (*acknowledged, unmanaged)))]) == 2


@pytest.mark.parametrize(
    "reports,code",
    [
        ([CLEAN], 0),
        ([CLEAN, CLEAN], 0),
        ([DRIFTED], 2),
        ([CLEAN, DRIFTED], 2),
        ([BROKEN], 1),
        ([DRIFTED, BROKEN, CLEAN], 1),
    ],
)
def test_one_exit_code_for_all_targets(reports: list[TargetReport], code: int) -> None:
    assert exit_code(reports) == code


def test_targets_are_deduplicated_in_order() -> None:
    assert targets_of(["b", "a", "b"]) == ["b", "a"]
    assert targets_of(None) == [None]
