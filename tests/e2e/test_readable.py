"""Plans say what happened: a dataset deleted by hand is the platform's doing, and a job
following a finished one shows what changed, not its whole body."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, run_cli
from tests.e2e.test_plan_apply import apply, edit, job_ids, managed_dataset, stack_datasets


def test_a_dataset_deleted_by_hand_is_reported_as_the_platforms_doing(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    assert apply(platform, workdir, "--wait").code == 0
    dataset_id, _ = managed_dataset(other)
    other.delete_dataset(dataset_id)

    text = run_cli(platform, workdir, ["plan"]).out
    assert (
        f"  + Dataset/profile-export: dataset {dataset_id} was deleted outside reconciler: "
        "creating it again"
    ) in text
    drift = text.split("Changed outside reconciler:\n")[1]
    assert f"missing Dataset/profile-export ({dataset_id})" in drift
    document = json.loads(run_cli(platform, workdir, ["plan", "--format", "json"]).out)
    (create,) = [c for c in document["changes"] if c["kind"] == "Dataset"]
    assert (create["action"], create["origin"]) == ("create", "platform")

    assert apply(platform, workdir).code == 0
    (new_id,) = stack_datasets(other)
    assert new_id != dataset_id
    again = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert again.code == 0, again.out


def test_a_job_replaced_after_it_succeeded_shows_the_changed_field(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    jobs = workdir / "specs" / "export-jobs"
    assert apply(platform, workdir, "--wait").code == 0
    before = job_ids(other)
    edit(jobs / "all-profiles.yaml", "emptyProfiles: true", "emptyProfiles: false")

    text = run_cli(platform, workdir, ["plan"]).out
    lines = text.split("+ ExportJob/all-profiles")[1].splitlines()
    body = itertools.takewhile(lambda line: line.startswith(" " * 8), lines[1:])
    block = "\n".join([lines[0], *body])
    assert "stays as history" in block
    assert "~ filter.emptyProfiles: true → false" in block
    assert "schema.name =" not in block and "mergePolicy.id =" not in block
    markdown = run_cli(platform, workdir, ["plan", "--format", "markdown"]).out
    assert "- filter.emptyProfiles: true\n+ filter.emptyProfiles: false" in markdown

    assert apply(platform, workdir).code == 0
    assert len(job_ids(other) - before) == 1  # one new job, the old one kept as history
    assert before <= job_ids(other)
