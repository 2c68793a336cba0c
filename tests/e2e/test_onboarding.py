"""From a sandbox that already exists to git and back (issue 15's "Must show"), and init.

A sandbox filled by ``emulator seed`` and by someone's plain httpx calls is exported into
manifests and adopted; the next plan says No changes. Someone changes a dataset in the
UI on purpose; ``drift --write`` carries exactly that field into the manifest, comments
intact, and the plan says No changes again.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SECRET, OtherClient, Platform, run_cli, start_platform, stop_platform

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNION = "https://ns.adobe.com/xdm/context/profile__union"
CONTENT = "application/vnd.adobe.xed+json;version=1"


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform whose database ``emulator seed`` filled before it started."""
    db = tmp_path / "platform.db"
    seed = [sys.executable, "-m", "aep_reconciler", "emulator", "seed", "--db", str(db)]
    subprocess.run([*seed, "--datasets", "6", "--jobs", "12"], check=True, capture_output=True)
    served = start_platform(db, "--job-start-after", "0.1", "--job-run-for", "0.1")
    yield served
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty manifest tree: reconciler.yaml and the schemas, nothing declared yet."""
    specs = tmp_path / "work" / "specs"
    shutil.copytree(ROOT / "specs" / "schemas", specs / "schemas")
    (specs / "reconciler.yaml").write_text(
        "stack: onboarding\ndefaultTarget: local\ntargets:\n  local:\n    platform: embedded\n"
    )
    return specs.parent


def _by_hand(other: OtherClient) -> str:
    """What a colleague made with a script: a dataset and three runs of two requests."""
    dataset_id = other.create_dataset(
        {
            "name": "Campaign Audience",
            "description": "Made by hand",
            "schemaRef": {"id": UNION, "contentType": CONTENT},
            "fileDescription": {"persisted": True, "format": "parquet"},
            "tags": {"team": ["campaigns"]},
        }
    )
    request = {"destination": {"datasetId": dataset_id}, "schema": {"name": "_xdm.context.profile"}}
    other.create_job(request)
    other.create_job(request)  # a second run of the same request: history, one manifest
    other.create_job({**request, "fields": "identities.id,personalEmail.address"})
    return dataset_id


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_sandbox_goes_to_git_and_a_deliberate_change_comes_back(
    platform: Platform, other: OtherClient, project: Path
) -> None:
    dataset_id = _by_hand(other)
    exported = run_cli(platform, project, ["export", "--auto-approve"])
    assert exported.code == 0, exported.out + exported.err
    assert "Export complete: " in exported.out
    manifest = project / "specs" / "datasets" / "campaign-audience.yaml"
    jobs = (project / "specs" / "export-jobs" / "campaign-audience.yaml").read_text()
    assert manifest.read_text().startswith(
        "# yaml-language-server: $schema=../schemas/manifest.schema.json\n"
    )
    assert jobs.count("kind: ExportJob") == 2  # three runs, two distinct requests
    assert run_cli(platform, project, ["validate"]).code == 0

    planned = run_cli(platform, project, ["plan", "--detailed-exitcode"])
    assert planned.code == 0, planned.out + planned.err
    assert "No changes." in planned.out

    annotated = manifest.read_text().replace(
        "metadata:\n", "# Campaigns team: ask before changing.\nmetadata:\n"
    )
    manifest.write_text(annotated)
    other.patch_dataset(dataset_id, {"description": "Changed in the UI on purpose"})
    written = run_cli(platform, project, ["drift", "--write"])
    assert written.code in (0, 2), written.out + written.err
    assert _changed_lines(annotated, manifest.read_text()) == [
        "-  description: Made by hand",
        "+  description: Changed in the UI on purpose",
    ]
    assert "+  description: Changed in the UI on purpose" in written.out  # the diff is shown

    again = run_cli(platform, project, ["plan", "--detailed-exitcode"])
    assert again.code == 0 and "No changes." in again.out, again.out + again.err


def test_init_sets_up_a_repository_without_overwriting_anything(tmp_path: Path) -> None:
    repo = tmp_path / "acme-exports"
    repo.mkdir()
    (repo / ".gitignore").write_text("*.pyc")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text("{}\n")
    cmd = [sys.executable, "-m", "aep_reconciler"]
    done = subprocess.run([*cmd, "init"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "kept .vscode/settings.json (exists)" in done.stdout
    assert (repo / ".gitignore").read_text() == "*.pyc\n.reconciler/\n"
    assert (repo / ".vscode" / "settings.json").read_text() == "{}\n"
    assert "stack: acme-exports\n" in (repo / "specs" / "reconciler.yaml").read_text()
    names = {p.name for p in (repo / ".github" / "workflows").iterdir()}
    assert names == {"reconciler-plan.yml", "reconciler-apply.yml", "reconciler-drift.yml"}
    validated = subprocess.run([*cmd, "validate"], cwd=repo, capture_output=True, text=True)
    assert validated.returncode == 0, validated.stderr
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    again = subprocess.run([*cmd, "init"], cwd=repo, capture_output=True, text=True)
    assert again.returncode == 0 and "created" not in again.stdout
    assert {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()} == before
