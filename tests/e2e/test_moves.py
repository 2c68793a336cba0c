"""Renames and removals as a user makes them: the plan says what moves and what is left."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, run_cli
from tests.e2e.test_plan_apply import apply, edit, job_ids, managed_dataset, stack_datasets

RENAMED = "  name: profiles\n  previousNames: [profile-export]\n"


def rename(specs: Path) -> None:
    """What a user edits to rename the dataset: its manifest name and every reference to it."""
    edit(specs / "datasets" / "profile-export.yaml", "  name: profile-export\n", RENAMED)
    for job in (specs / "export-jobs").glob("*.yaml"):
        edit(job, "dataset: profile-export", "dataset: profiles")


def test_a_rename_moves_the_dataset_and_reruns_nothing(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    specs = workdir / "specs"
    assert apply(platform, workdir, "--wait").code == 0
    dataset_id, _ = managed_dataset(other)
    jobs = job_ids(other)

    rename(specs)
    shown = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert shown.code == 2, shown.out + shown.err
    assert (
        f"  ~ Dataset/profile-export → profiles ({dataset_id}): renamed from profile-export "
        "(metadata.previousNames): its ownership tag is rewritten, nothing is created or "
        "exported again"
    ) in shown.out
    assert "Plan: 0 to create, 1 to update" in shown.out and "1 renamed" in shown.out
    markdown = run_cli(platform, workdir, ["plan", "--format", "markdown"])
    assert "<b>Dataset/profile-export → profiles</b>" in markdown.out

    applied = apply(platform, workdir)
    assert applied.code == 0, applied.out + applied.err
    assert stack_datasets(other).keys() == {dataset_id}  # 0 duplicates
    assert managed_dataset(other, "profiles")[0] == dataset_id
    assert job_ids(other) == jobs  # 0 reruns
    again = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert again.code == 0 and "No changes." in again.out


def test_removed_manifests_are_always_listed_with_what_happens(
    frozen: Platform, workdir: Path
) -> None:
    other = OtherClient(frozen)
    specs = workdir / "specs"
    scratch = specs / "datasets" / "scratch.yaml"
    scratch.write_text(
        (specs / "datasets" / "profile-export.yaml")
        .read_text()
        .replace("name: profile-export", "name: scratch")
    )
    assert apply(frozen, workdir).code == 0
    scratch_id, _ = managed_dataset(other, "scratch")
    vip = next(str(j["id"]) for j in other.jobs() if j["destination"].get("segmentPerBatch"))

    scratch.unlink()
    (specs / "export-jobs" / "vip-emails.yaml").unlink()
    running = run_cli(frozen, workdir, ["plan"])
    assert f"  - ExportJob/vip-emails ({vip}): manifest removed; job {vip} still NEW: cancel" in (
        running.out
    )
    removed = running.out.split("Removed from the manifests:\n")[1].split("\n\n")[0]
    assert removed.splitlines() == [
        f"  Dataset/scratch ({scratch_id}): no manifest declares it; kept: --prune "
        "--allow-destroy deletes it and its data",
        f"  ExportJob/vip-emails ({vip}): manifest removed; job {vip} still NEW: cancel",
    ]
    assert "· 2 removed from the manifests ·" in running.out

    other.advance_clock(3600)  # every job finishes (writing its export first)
    other.settled_jobs()
    finished = run_cli(frozen, workdir, ["plan", "--format", "markdown"])
    assert "#### Removed from the manifests" in finished.out
    assert f"- ExportJob/vip-emails ({vip}): manifest removed; job {vip} stays as history" in (
        finished.out
    )
    assert f"- Dataset/scratch ({scratch_id}): no manifest declares it; kept:" in finished.out
    assert "**No changes.**" in finished.out  # nothing to do, and still said
    before = job_ids(other)
    assert apply(frozen, workdir).code == 0
    assert job_ids(other) == before and scratch_id in stack_datasets(other)
