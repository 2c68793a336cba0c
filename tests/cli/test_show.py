"""``reconciler show PLANFILE``: a saved plan rendered offline, against golden files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from aep_reconciler import planfile
from aep_reconciler.cli import main
from aep_reconciler.plan import (
    Action,
    Change,
    Finding,
    FindingType,
    Observation,
    Origin,
    Plan,
    PlanOptions,
)
from aep_reconciler.plan_schema import plan_schema
from aep_reconciler.resources import DATASET, EXPORT_JOB, ManifestSet, ResourceKey

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]
DATASET_KEY = ResourceKey(DATASET, "profile-export")
JOB_KEY = ResourceKey(EXPORT_JOB, "vip-emails")


def _plan() -> Plan:
    changes = (
        Change(
            DATASET_KEY,
            Action.UPDATE,
            "changed outside reconciler: reverting to the manifest",
            id="5c1f00000000000000000001",
            before={"description": "hand edit"},
            after={"description": "Profiles exported nightly"},
            paths=("description",),
            origin=Origin.PLATFORM,
        ),
        Change(
            JOB_KEY,
            Action.REPLACE,
            "spec changed (fields): cancel job 7, then create",
            id="7",
            before={"fields": "identities.id"},
            after={"fields": "identities.id,personalEmail.address"},
            paths=("fields",),
            depends_on=(DATASET_KEY,),
            cancel_ids=("7",),
        ),
    )
    findings = (
        Finding(
            DATASET,
            "profile-export",
            FindingType.CHANGED,
            id="5c1f00000000000000000001",
            paths=("description",),
            detail="changed on the platform outside reconciler",
            live={"description": "hand edit"},
            declared={"description": "Profiles exported nightly"},
        ),
    )
    return Plan(
        "marketing-exports",
        "local",
        changes,
        findings,
        Observation(datasets=1, export_jobs=4, requests=3, seconds=0.25),
        created="2026-01-02T03:04:05Z",
        made_by="9.9.9",
        scope=(JOB_KEY,),
    )


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    options = PlanOptions(only=(JOB_KEY,))
    plan = planfile.SavedPlan("0" * 32, _plan(), ManifestSet((), (), ()), options, 1767323045.0)
    planfile.write(path, plan)
    return path


@pytest.mark.parametrize(("fmt", "golden"), [("text", "show.txt"), ("json", "show.json"),
                                             ("markdown", "show.md")])  # fmt: skip
def test_show_renders_the_saved_plan(
    saved: Path, fmt: str, golden: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", str(saved), "--format", fmt, "--no-color"]) == 0
    out = capsys.readouterr().out.replace(str(saved), "PLANFILE")
    assert out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_an_applied_plan_says_so(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    planfile.mark_applied(saved, planfile.read(saved))
    assert main(["show", str(saved)]) == 0
    assert "; applied at " in capsys.readouterr().out


def test_show_refuses_a_file_that_is_no_saved_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{}")
    assert main(["show", str(path)]) == 1
    assert "not a saved plan" in capsys.readouterr().err


def test_the_plan_json_follows_the_published_schema(saved: Path) -> None:
    committed = json.loads((ROOT / "specs" / "schemas" / "plan.schema.json").read_text())
    assert committed == plan_schema()
    jsonschema.Draft202012Validator.check_schema(committed)
    validator = jsonschema.Draft202012Validator(committed)
    document = json.loads((GOLDEN / "show.json").read_text())
    assert list(validator.iter_errors(document)) == []
    document["changes"][0]["action"] = "explode"
    assert list(validator.iter_errors(document)) != []
