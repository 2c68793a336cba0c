"""A foreign export job acknowledged by id, run as a user would: drift once, not for ever."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, run_cli

FOREIGN = {"schema": {"name": "_xdm.context.profile"}, "fields": "identities.id"}


def _acknowledge(workdir: Path, *ids: str) -> None:
    """What a user adds under the local target of reconciler.yaml."""
    config = workdir / "specs" / "reconciler.yaml"
    text = config.read_text()
    listed = ", ".join(f'"{i}"' for i in ids)
    block = f"    platform: embedded\n    acknowledge:\n      exportJobs: [{listed}]\n"
    assert "    platform: embedded\n" in text
    config.write_text(text.replace("    platform: embedded\n", block, 1))


def test_a_hand_export_is_unmanaged_until_acknowledged(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    [dataset_id] = [
        i
        for i, d in other.datasets().items()
        if d["tags"].get("reconciler-name") == ["profile-export"]
    ]
    foreign_id = str(other.create_job({**FOREIGN, "destination": {"datasetId": dataset_id}})["id"])
    other.settled_jobs()
    jobs_before = {str(j["id"]) for j in other.jobs()}

    drifted = run_cli(platform, workdir, ["drift"])
    assert drifted.code == 2, drifted.out + drifted.err
    assert f"unmanaged    ExportJob/job-{foreign_id} ({foreign_id})" in drifted.out

    # a one-off acknowledged on the command line...
    flagged = run_cli(platform, workdir, ["drift", "--acknowledge", foreign_id])
    assert flagged.code == 0, flagged.out + flagged.err
    # ...or for good in reconciler.yaml, with an id that is gone already
    _acknowledge(workdir, foreign_id, "999999")
    valid = run_cli(platform, workdir, ["validate"])
    assert valid.code == 0, valid.out + valid.err
    clean = run_cli(platform, workdir, ["drift"])
    assert clean.code == 0, clean.out + clean.err
    assert f"acknowledged ExportJob/job-{foreign_id} ({foreign_id})" in clean.out
    notes = [line for line in clean.out.splitlines() if "999999" in line]
    assert notes == [
        "  note: acknowledged export job 999999 is no longer listed in the stack's datasets; "
        "it can be removed from acknowledge.exportJobs"
    ]
    assert clean.out.splitlines()[-1] == "Drift local: in sync; 1 acknowledged."
    assert "reconciler: error" not in clean.err

    report = run_cli(platform, workdir, ["drift", "--format", "json"])
    data = json.loads(report.out)
    assert (report.code, data["in_sync"]) == (0, True)
    assert [(f["type"], f["id"]) for f in data["findings"]] == [("acknowledged", foreign_id)]
    assert data["targets"][0]["counts"]["acknowledged"] == 1
    markdown = run_cli(platform, workdir, ["drift", "--format", "markdown"])
    assert markdown.code == 0 and "| acknowledged | `ExportJob/job-" in markdown.out

    plan = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert plan.code == 0, plan.out + plan.err
    assert "Changed outside reconciler" not in plan.out
    assert f"Acknowledged foreign export jobs (not drift): {foreign_id}" in plan.out
    assert {str(j["id"]) for j in other.jobs()} == jobs_before  # nothing created or cancelled


def _managed_dataset(other: OtherClient) -> str:
    [dataset_id] = [
        i
        for i, d in other.datasets().items()
        if d["tags"].get("reconciler-name") == ["profile-export"]
    ]
    return dataset_id


def test_a_hand_made_job_is_imported_into_a_manifest_and_plan_is_clean(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    dataset_id = _managed_dataset(other)
    # one job left running (a fresh one), one long SUCCEEDED: both made by hand
    finished = str(other.create_job({**FOREIGN, "destination": {"datasetId": dataset_id}})["id"])
    other.settled_jobs()
    body = {
        **FOREIGN,
        "fields": "identities.id,person.name",
        "destination": {"datasetId": dataset_id},
    }
    running = str(other.create_job(body)["id"])
    drifted = run_cli(platform, workdir, ["drift"])
    assert drifted.code == 2 and f"job-{finished}" in drifted.out

    for name, job_id in (("hand-export", finished), ("hand-names", running)):
        done = run_cli(platform, workdir, ["import", "ExportJob", name, job_id, "--auto-approve"])
        assert done.code == 0, done.out + done.err
        assert f"= ExportJob/{name}" in done.out
        written = workdir / "specs" / "export-jobs" / f"{name}.yaml"
        assert written.read_text().startswith("# yaml-language-server: $schema=")
        assert f"Imported from export job {job_id}" in written.read_text()
    valid = run_cli(platform, workdir, ["validate"])
    assert valid.code == 0, valid.out + valid.err
    jobs_before = {str(j["id"]) for j in other.settled_jobs()}

    plan = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert plan.code == 0, plan.out + plan.err
    assert "No changes." in plan.out
    clean = run_cli(platform, workdir, ["drift"])
    assert clean.code == 0, clean.out + clean.err
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    assert {str(j["id"]) for j in other.jobs()} == jobs_before  # no new job, none cancelled

    again = run_cli(
        platform, workdir, ["import", "ExportJob", "hand-export", finished, "--auto-approve"]
    )
    assert again.code == 0 and "already managed" in again.out
    other_name = run_cli(
        platform, workdir, ["import", "ExportJob", "twin", finished, "--auto-approve"]
    )
    assert other_name.code == 1 and "already manages export job" in other_name.err
    assert not (workdir / "specs" / "export-jobs" / "twin.yaml").exists()


def test_a_job_into_a_dataset_the_stack_does_not_manage_is_refused(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    loose = other.create_dataset(
        {
            "name": "Loose",
            "schemaRef": {
                "id": "https://ns.adobe.com/xdm/context/profile__union",
                "contentType": "application/vnd.adobe.xed+json;version=1",
            },
            "fileDescription": {"persisted": True},
        }
    )
    job_id = str(other.create_job({**FOREIGN, "destination": {"datasetId": loose}})["id"])
    refused = run_cli(platform, workdir, ["import", "ExportJob", "loose", job_id, "--auto-approve"])
    assert refused.code == 1, refused.out + refused.err
    assert f"reconciler import Dataset NAME {loose}" in refused.err
    assert "Traceback" not in refused.err
    assert not (workdir / "specs" / "export-jobs" / "loose.yaml").exists()
