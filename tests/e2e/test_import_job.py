"""``import ExportJob NAME ID`` run as a user would: against a manifest the tree declares
already, and an adoption the platform refuses (the manifest it wrote is taken back)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from aep_reconciler.inventory import job_tag
from tests.e2e.conftest import OtherClient, Platform, read_terminal, run_cli

FOREIGN = {"schema": {"name": "_xdm.context.profile"}, "fields": "identities.id"}
PROMPT = b"Only 'yes' is accepted: "

DECLARED = """\
apiVersion: reconciler/v1
kind: ExportJob
metadata:
  name: hand-export
spec:
  fields: FIELDS
  destination: {dataset: profile-export}
  schema: {name: _xdm.context.profile}
"""


def applied_with_a_hand_job(
    platform: Platform, workdir: Path, other: OtherClient
) -> tuple[str, str]:
    """The example tree applied, and one export made by hand into its dataset, finished:
    (dataset id, job id)."""
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    [dataset_id] = [
        i
        for i, d in other.datasets().items()
        if d["tags"].get("reconciler-name") == ["profile-export"]
    ]
    job_id = str(other.create_job({**FOREIGN, "destination": {"datasetId": dataset_id}})["id"])
    other.settled_jobs()
    return dataset_id, job_id


def recorded(other: OtherClient, dataset_id: str, name: str) -> list[str]:
    return list(other.dataset(dataset_id)["tags"].get(job_tag(name), ()))


def test_import_into_a_declared_manifest_adopts_only_when_the_request_matches(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    dataset_id, job_id = applied_with_a_hand_job(platform, workdir, other)
    manifest = workdir / "specs" / "export-jobs" / "hand-export.yaml"
    manifest.write_text(DECLARED.replace("FIELDS", "identities.id,person.name"))
    args = ["import", "ExportJob", "hand-export", job_id, "--auto-approve"]

    differs = run_cli(platform, workdir, args)
    assert differs.code == 1, differs.out + differs.err
    assert (
        f"ExportJob/hand-export (specs/export-jobs/hand-export.yaml:1:1) does not match job "
        f"{job_id} (fields): nothing imported" in differs.err
    ), differs.err
    assert "Traceback" not in differs.err
    assert recorded(other, dataset_id, "hand-export") == []
    assert manifest.read_text() == DECLARED.replace("FIELDS", "identities.id,person.name")

    manifest.write_text(DECLARED.replace("FIELDS", "identities.id"))
    matches = run_cli(platform, workdir, args)
    assert matches.code == 0, matches.out + matches.err
    assert "= ExportJob/hand-export" in matches.out and "wrote" not in matches.out
    assert manifest.read_text() == DECLARED.replace("FIELDS", "identities.id")  # untouched
    [record] = recorded(other, dataset_id, "hand-export")
    assert record.endswith(f"#{job_id}")
    jobs = {str(j["id"]) for j in other.jobs()}
    plan = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert plan.code == 0 and "No changes." in plan.out, plan.out + plan.err
    assert run_cli(platform, workdir, ["drift"]).code == 0
    assert {str(j["id"]) for j in other.jobs()} == jobs  # adopted, not run again


def read_until(leader: int, marker: bytes) -> bytes:
    """What the CLI wrote to the terminal up to and including ``marker`` (bounded wait)."""
    seen = b""
    deadline = time.monotonic() + 60
    while marker not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            seen += os.read(leader, 65536)
    return seen


def test_a_refused_adoption_takes_back_the_manifest_it_wrote(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    dataset_id, job_id = applied_with_a_hand_job(platform, workdir, other)
    written = workdir / "specs" / "export-jobs" / "hand-export.yaml"
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aep_reconciler", "import", "ExportJob", "hand-export", job_id],
        cwd=workdir,
        env=platform.env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    asked = read_until(leader, PROMPT).decode()
    assert f"= ExportJob/hand-export ({job_id})" in asked
    # while the user reads the preview, a colleague edits the dataset: its E-Tag moves on
    other.patch_dataset(dataset_id, {"description": "edited meanwhile"})
    os.write(leader, b"yes\n")
    text = asked + read_terminal(platform, leader, proc)

    assert proc.returncode == 1, text
    assert "wrote specs/export-jobs/hand-export.yaml" in text  # written, then taken back
    assert "the dataset changed since it was read; nothing adopted, run import again" in text
    assert "removed specs/export-jobs/hand-export.yaml again: the job was not adopted" in text
    assert "Traceback" not in text
    assert not written.exists()
    assert recorded(other, dataset_id, "hand-export") == []
    assert other.dataset(dataset_id)["description"] == "edited meanwhile"  # not overwritten
    drift = run_cli(platform, workdir, ["drift"])
    assert drift.code == 2 and f"unmanaged    ExportJob/job-{job_id}" in drift.out, drift.out

    again = run_cli(platform, workdir, ["import", "ExportJob", "hand-export", job_id,
                                        "--auto-approve"])  # fmt: skip
    assert again.code == 0, again.out + again.err  # a second try reads the new E-Tag
    assert written.exists() and recorded(other, dataset_id, "hand-export")
