"""Saved plans: sealed with an HMAC over everything that matters, the target included; a
tampered, foreign or malformed file is a PlanError (exit 1), never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aep_reconciler import planfile
from aep_reconciler.diagnostics import PlanError
from aep_reconciler.plan import Action, Change, Endpoint, Plan, PlanOptions
from aep_reconciler.resources import ManifestSet, ResourceKey

KEY = b"a workflow secret"
PLAN = Plan(
    "marketing-exports",
    "staging",
    (Change(ResourceKey("Dataset", "profile-export"), Action.CREATE, "new", after={"name": "x"}),),
    endpoint=Endpoint("https://platform.adobe.io", "o@AdobeOrg", "staging"),
)


def _saved(tmp_path: Path, key: bytes | None = KEY) -> Path:
    path = tmp_path / "saved.plan"
    planfile.write(path, planfile.new_saved_plan(PLAN, ManifestSet((), (), ()), PlanOptions()), key)
    return path


def _edit(path: Path, change: str) -> None:
    document = json.loads(path.read_text())
    if change == "target":
        document["plan"]["target"] = "production"
    elif change == "endpoint":
        document["plan"]["endpoint"]["sandbox"] = "prod"
    elif change == "action":
        document["plan"]["changes"][0]["after"]["name"] = "attacker's"
    path.write_text(json.dumps(document))


def test_a_plan_reads_back_with_its_key(tmp_path: Path) -> None:
    saved = planfile.read(_saved(tmp_path), KEY)
    assert saved.plan.endpoint == PLAN.endpoint and saved.plan.target == "staging"
    unkeyed = planfile.read(_saved(tmp_path, None), None)
    assert unkeyed.plan.changes == PLAN.changes


@pytest.mark.parametrize("change", ["target", "endpoint", "action"])
def test_any_edit_is_refused(tmp_path: Path, change: str) -> None:
    path = _saved(tmp_path)
    _edit(path, change)
    with pytest.raises(PlanError, match="modified after it was written"):
        planfile.read(path, KEY)


def test_the_checksum_cannot_be_recomputed_without_the_key(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    _edit(path, "action")
    forged = tmp_path / "forged.plan"
    document = json.loads(path.read_text())
    payload = {k: v for k, v in document.items() if k not in planfile._UNSEALED}
    document["checksum"] = planfile._seal(payload, b"a guessed key")
    forged.write_text(json.dumps(document))
    with pytest.raises(PlanError, match="modified"):
        planfile.read(forged, KEY)


def test_keyed_and_unkeyed_never_mix(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="sealed with RECONCILER_PLAN_KEY"):
        planfile.read(_saved(tmp_path, KEY), None)
    with pytest.raises(PlanError, match="sealed without RECONCILER_PLAN_KEY"):
        planfile.read(_saved(tmp_path, None), KEY)
    with pytest.raises(PlanError, match="modified"):
        planfile.read(_saved(tmp_path, KEY), b"another key")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[1, 2]",
        '{"format": "reconciler-saved-plan/2", "keyed": false}',
        "[" * 100_000 + "]" * 100_000,
        '{"format": "reconciler-saved-plan/2", "keyed": false, "plan": '
        + "[" * 5000
        + "]" * 5000
        + "}",
    ],
    ids=["empty", "text", "list", "no-checksum", "deep", "deep-plan"],
)
def test_malformed_files_are_plan_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.plan"
    path.write_text(text)
    with pytest.raises(PlanError):
        planfile.read(path, None)


@pytest.mark.parametrize("field", ["desired", "options", "plan", "created_at"])
def test_sealed_but_wrongly_shaped_files_are_plan_errors(tmp_path: Path, field: str) -> None:
    path = tmp_path / "odd.plan"
    document = json.loads(_saved(tmp_path, None).read_text())
    document[field] = [{"kind": 3}] if field == "desired" else "odd"
    payload = {k: v for k, v in document.items() if k not in planfile._UNSEALED}
    document["checksum"] = planfile._seal(payload, None)
    path.write_text(json.dumps(document))
    with pytest.raises(PlanError):
        planfile.read(path, None)
