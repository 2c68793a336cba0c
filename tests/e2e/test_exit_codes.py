"""apply's exit code is one CI can trust: a blocked or unfinished change is a failure."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, run_cli
from tests.e2e.test_plan_apply import apply, edit, managed_dataset, written

NEW_JOB = """apiVersion: reconciler/v1
kind: ExportJob
metadata: {name: emails-only}
spec:
  fields: personalEmail.address
  destination: {dataset: profile-export}
  schema: {name: _xdm.context.profile}
"""


def test_a_blocked_change_on_a_protected_dataset_fails_apply_after_the_rest(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    specs = workdir / "specs"
    assert apply(platform, workdir).code == 0
    dataset_id, before = managed_dataset(other)
    _, jobs = written(other)

    edit(specs / "datasets" / "profile-export.yaml", "version=1", "version=2")  # needs a replace
    (specs / "export-jobs" / "emails-only.yaml").write_text(NEW_JOB)
    result = apply(platform, workdir, "--allow-destroy")

    assert result.code == 1, result.out + result.err
    assert "blocked: lifecycle.preventDestroy is set on this manifest" in result.out
    assert (
        "Apply complete: 1 succeeded, 0 failed, 0 skipped, 1 blocked (not applied)." in result.out
    )
    assert "Not applied (exit code 1):" in result.out
    assert "  blocked Dataset/profile-export: lifecycle.preventDestroy" in result.out
    # The independent job went in; the protected dataset is still the only one, not replaced.
    after_id, after = managed_dataset(other)
    assert (after_id, after["schemaRef"]) == (dataset_id, before["schemaRef"])
    new = {str(j["id"]) for j in other.jobs()} - jobs
    assert len(new) == 1
    (job,) = [j for j in other.jobs() if str(j["id"]) in new]
    assert job["fields"] == "personalEmail.address"

    again = apply(platform, workdir, "--allow-destroy")  # only the blocked change is left
    assert again.code == 1
    assert "Nothing to apply: 1 blocked change(s) not applied." in again.out
    assert {str(j["id"]) for j in other.jobs()} == jobs | new


def test_wait_timeout_bounds_wait_and_fails_when_jobs_still_run(
    frozen: Platform, workdir: Path
) -> None:
    other = OtherClient(frozen)
    bad = run_cli(frozen, workdir, ["apply", "--auto-approve", "--wait", "--wait-timeout", "soon"])
    assert bad.code == 1 and "not a duration" in bad.err
    assert other.jobs() == []  # a usage error changes nothing

    waited = run_cli(
        frozen, workdir, ["apply", "--auto-approve", "--wait", "--wait-timeout", "PT1S"]
    )
    assert waited.code == 1, waited.out + waited.err
    assert "4 succeeded, 0 failed" in waited.out
    assert "export jobs still running after 1 s:" in waited.out
    assert {j["status"] for j in other.jobs()} == {"NEW"}  # the clock stands still
