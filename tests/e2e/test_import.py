"""reconciler import run as a user would: adopt a dataset someone made by hand, safely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aep_reconciler.manifests.documents import load_file
from tests.e2e.conftest import SPECS, OtherClient, Platform, run_cli

PROFILE_SCHEMA = "https://ns.adobe.com/xdm/context/profile__union"

HAND_MADE: dict[str, Any] = {
    "name": "Churn scores: weekly",  # ": " cannot be a plain YAML scalar
    "description": "made in the UI",
    "schemaRef": {"id": PROFILE_SCHEMA, "contentType": "application/vnd.adobe.xed+json;version=1"},
    "fileDescription": {"persisted": True, "containerFormat": "parquet", "format": "parquet"},
    "tags": {"team": ["data", "analytics"], "unifiedProfile": ["enabled:true"]},
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project with no manifests yet: only reconciler.yaml and the schemas folder."""
    root = tmp_path / "work" / "specs"
    (root / "schemas").mkdir(parents=True)
    (root / "reconciler.yaml").write_text((SPECS / "reconciler.yaml").read_text())
    for schema in (SPECS / "schemas").iterdir():
        (root / "schemas" / schema.name).write_text(schema.read_text())
    return root


def test_import_writes_the_manifest_and_adopts(
    platform: Platform, other: OtherClient, tree: Path
) -> None:
    cwd = tree.parent
    dataset_id = other.create_dataset(HAND_MADE)
    args = ["import", "Dataset", "churn", dataset_id]

    refused = run_cli(platform, cwd, args)  # no terminal, no --auto-approve
    assert refused.code == 1
    assert "--auto-approve" in refused.err
    assert not (tree / "datasets" / "churn.yaml").exists()
    assert "reconciler-stack" not in other.dataset(dataset_id)["tags"]

    done = run_cli(platform, cwd, [*args, "--auto-approve"])
    assert done.code == 0, done.out + done.err
    written = tree / "datasets" / "churn.yaml"
    docs, diags = load_file(written, str(written))
    assert diags == []
    assert docs[0].data == {
        "apiVersion": "reconciler/v1",
        "kind": "Dataset",
        "metadata": {"name": "churn"},
        "spec": {**HAND_MADE, "tags": {"team": ["analytics", "data"]}},
    }
    assert written.read_text().startswith("# yaml-language-server: $schema=")
    tags = other.dataset(dataset_id)["tags"]
    assert tags["reconciler-stack"] == ["marketing-exports"]
    assert tags["reconciler-name"] == ["churn"]
    assert tags["unifiedProfile"] == ["enabled:true"]  # Adobe's tag survives the rewrite
    assert sorted(tags["team"]) == ["analytics", "data"]

    plan = run_cli(platform, cwd, ["plan", "--detailed-exitcode"])
    assert plan.code == 0, plan.out + plan.err
    assert "No changes." in plan.out

    again = run_cli(platform, cwd, [*args, "--auto-approve"])
    assert again.code == 0, again.err
    assert "already managed" in again.out

    twin = other.create_dataset(HAND_MADE)  # a second dataset under the same manifest name
    duplicate = run_cli(platform, cwd, ["import", "Dataset", "churn", twin, "--auto-approve"])
    assert duplicate.code == 1
    assert f"already manages dataset {dataset_id} as churn" in duplicate.err
    assert "reconciler-stack" not in other.dataset(twin)["tags"]


def test_import_checks_an_existing_manifest(
    platform: Platform, other: OtherClient, tree: Path
) -> None:
    cwd = tree.parent
    dataset_id = other.create_dataset(HAND_MADE)
    manifest = tree / "datasets" / "churn.yaml"
    manifest.parent.mkdir()
    spec = "\n".join(
        [
            "apiVersion: reconciler/v1",
            "kind: Dataset",
            "metadata: {name: churn}",
            "spec:",
            '  name: "Churn scores: weekly"',
            "  description: DESCRIPTION",
            f"  schemaRef: {{id: '{PROFILE_SCHEMA}'}}",
            "  fileDescription: {persisted: true, containerFormat: parquet, format: parquet}",
            "  tags: {team: [data, analytics]}",
            "",
        ]
    )
    manifest.write_text(spec.replace("DESCRIPTION", "made in git"))
    args = ["import", "Dataset", "churn", dataset_id, "--auto-approve"]

    differs = run_cli(platform, cwd, args)
    assert differs.code == 1
    assert "description" in differs.out
    assert "made in the UI" in differs.out and "made in git" in differs.out
    assert "reconciler-stack" not in other.dataset(dataset_id)["tags"]

    manifest.write_text(spec.replace("DESCRIPTION", "made in the UI"))
    matches = run_cli(platform, cwd, args)
    assert matches.code == 0, matches.out + matches.err
    assert "wrote" not in matches.out
    assert other.dataset(dataset_id)["tags"]["reconciler-name"] == ["churn"]
    plan = run_cli(platform, cwd, ["plan", "--detailed-exitcode"])
    assert plan.code == 0, plan.out + plan.err


def test_import_refuses_what_it_must_not_touch(
    platform: Platform, other: OtherClient, tree: Path
) -> None:
    cwd = tree.parent
    theirs = other.create_dataset(
        {**HAND_MADE, "tags": {"reconciler-stack": ["sales"], "reconciler-name": ["leads"]}}
    )
    before = other.dataset(theirs)

    foreign = run_cli(platform, cwd, ["import", "Dataset", "leads", theirs, "--auto-approve"])
    assert foreign.code == 1
    assert "managed by stack sales" in foreign.err
    assert other.dataset(theirs)["tags"] == before["tags"]

    missing = run_cli(platform, cwd, ["import", "Dataset", "ghost", "0" * 24, "--auto-approve"])
    assert missing.code == 1
    assert f"there is no dataset {'0' * 24}" in missing.err

    job = run_cli(platform, cwd, ["import", "ExportJob", "nightly", "42", "--auto-approve"])
    assert job.code == 1
    assert "there is no export job 42" in job.err

    kind = run_cli(platform, cwd, ["import", "Audience", "vip", "42", "--auto-approve"])
    assert kind.code == 1 and "unknown kind 'Audience'" in kind.err

    (tree / "datasets").mkdir()
    notes = tree / "datasets" / "leads.yaml"  # a file by that name declaring something else
    notes.write_text(
        "apiVersion: reconciler/v1\nkind: Dataset\nmetadata: {name: notes}\n"
        f"spec: {{name: notes, schemaRef: {{id: '{PROFILE_SCHEMA}'}}}}\n"
    )
    text = notes.read_text()
    free = other.create_dataset(HAND_MADE)
    kept = run_cli(platform, cwd, ["import", "Dataset", "leads", free, "--auto-approve"])
    assert kept.code == 1
    assert "not overwriting" in kept.err
    assert notes.read_text() == text
    assert "reconciler-stack" not in other.dataset(free)["tags"]
    for result in (foreign, missing, job, kept):
        assert "Traceback" not in result.err
