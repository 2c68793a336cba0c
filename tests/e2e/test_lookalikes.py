"""A tags PATCH by hand never leads to a second dataset or a rerun, whatever the platform does
with it (both `tags-patch` variants: the map replaced, or merged)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SECRET, OtherClient, Platform, run_cli, start_platform, stop_platform
from tests.e2e.test_plan_apply import apply, job_ids, managed_dataset, stack_datasets


@pytest.fixture(params=["replace", "merge"])
def patched(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Platform, str]]:
    """The platform served with one tags-patch variant; jobs finish in 0.2 s."""
    variant = str(request.param)
    served = start_platform(
        tmp_path / "platform.db",
        "--variant",
        f"tags-patch={variant}",
        "--job-start-after",
        "0.1",
        "--job-run-for",
        "0.1",
    )
    yield served, variant
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text, "the client secret leaked into the CLI's output"


def test_a_hand_tags_patch_is_caught_before_a_duplicate(
    patched: tuple[Platform, str], workdir: Path
) -> None:
    platform, variant = patched
    other = OtherClient(platform)
    assert apply(platform, workdir, "--wait").code == 0
    dataset_id, before = managed_dataset(other)
    jobs = job_ids(other)

    # A colleague sets the team tag with a plain field PATCH, as Adobe's docs show it.
    other.patch_dataset(dataset_id, {"tags": {"team": ["marketing"]}})
    tags = other.dataset(dataset_id)["tags"]
    assert ("reconciler-stack" in tags) == (variant == "merge")

    shown = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    if variant == "merge":  # the ownership tags survived: nothing happened
        assert shown.code == 0 and "No changes." in shown.out
    else:
        assert shown.code == 2, shown.out + shown.err
        assert (
            f'blocked: dataset "Profile Data Export" already exists ({dataset_id}), its '
            f"ownership tags are gone: `reconciler import Dataset profile-export {dataset_id}` "
            "or `--allow-duplicate`"
        ) in shown.out
        assert "blocked: needs Dataset/profile-export, which is blocked" in shown.out
        assert "Changed outside reconciler:" in shown.out
        assert f"missing Dataset/profile-export ({dataset_id})" in shown.out
        refused = apply(platform, workdir)
        assert refused.code == 1 and "Nothing to apply: 4 blocked" in refused.out
        adopted = run_cli(
            platform, workdir, ["import", "Dataset", "profile-export", dataset_id, "--auto-approve"]
        )
        assert adopted.code == 0, adopted.out + adopted.err
        restored = other.dataset(dataset_id)["tags"]
        inventory = sorted(k for k in restored if k.startswith("reconciler-job."))
        assert inventory == [  # an intent per declared job: each claims the job it ran
            "reconciler-job.all-profiles",
            "reconciler-job.lapsed-customers",
            "reconciler-job.vip-emails",
        ]
        again = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
        assert again.code == 0 and "No changes." in again.out, again.out

    assert stack_datasets(other).keys() == {dataset_id}  # 0 duplicate datasets
    assert job_ids(other) == jobs  # 0 reruns
    assert other.dataset(dataset_id)["schemaRef"] == before["schemaRef"]
