"""Teardown run as a user would: `destroy`, and `--allow-empty` on a tree with no manifests."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, read_terminal, run_cli
from tests.e2e.test_plan_apply import apply, edit, stack_datasets

LOCK = "reconciler-lock"


def locks(other: OtherClient) -> list[str]:
    return [i for i, d in other.datasets().items() if LOCK in d.get("tags", {})]


def typed(platform: Platform, cwd: Path, args: list[str], answers: str) -> tuple[int, str]:
    """Run the CLI on a terminal and type ``answers`` at its prompts: (exit code, output)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aep_reconciler", *args],
        cwd=cwd,
        env=platform.env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    os.write(leader, answers.encode())
    text = read_terminal(platform, leader, proc)
    return proc.returncode, text


def test_destroy_removes_what_the_stack_owns_and_the_lock_last(
    frozen: Platform, workdir: Path
) -> None:
    other = OtherClient(frozen)
    specs = workdir / "specs"
    assert apply(frozen, workdir).code == 0
    theirs = other.create_dataset({"name": "Not ours", "schemaRef": {"id": "urn:x"}})
    (ours,) = stack_datasets(other)
    jobs = {str(j["id"]) for j in other.jobs()}
    assert len(jobs) == 3 and {j["status"] for j in other.jobs()} == {"NEW"}
    assert len(locks(other)) == 1

    refused = run_cli(frozen, workdir, ["destroy", "--auto-approve"])
    assert refused.code == 1, refused.out + refused.err
    assert f"- Dataset/profile-export ({ours}): destroy: deleted with its data" in refused.out
    cancels = next(line for line in refused.out.splitlines() if "cancels job" in line)
    assert set(cancels.split("cancels job ")[1].split(", ")) == jobs
    assert "blocked: loses the dataset's data: rerun with --allow-destroy" in refused.out
    assert f"- Dataset/{LOCK}:marketing-exports" in refused.out
    assert "Nothing destroyed: 2 blocked change(s)." in refused.out
    assert set(stack_datasets(other)) == {ours} and len(locks(other)) == 1

    edit(specs / "reconciler.yaml", "  local:\n", "  local:\n    protected: true\n")
    unconfirmed = run_cli(frozen, workdir, ["destroy", "--allow-destroy", "--auto-approve"])
    assert unconfirmed.code == 1 and "--confirm-target local" in unconfirmed.err
    mistyped, _ = typed(frozen, workdir, ["destroy", "--allow-destroy"], "prod\n")
    assert mistyped == 1 and set(stack_datasets(other)) == {ours}

    code, text = typed(frozen, workdir, ["destroy", "--allow-destroy"], "local\nyes\n")
    assert code == 0, text
    assert "Type its name to continue" in text and "Only 'yes' is accepted" in text
    assert "Destroy complete: 2 succeeded, 0 failed or skipped." in text
    assert text.index("delete Dataset/profile-export") < text.index(f"delete Dataset/{LOCK}")
    assert stack_datasets(other) == {} and locks(other) == []
    assert not any(j["status"] == "NEW" for j in other.jobs())  # cancelled, none left running
    assert theirs in other.datasets()  # never touched

    shutil.rmtree(specs / "datasets")
    shutil.rmtree(specs / "export-jobs")
    empty = run_cli(frozen, workdir, ["plan", "--detailed-exitcode"])
    assert empty.code == 1 and "no *.yaml or *.yml manifest files found" in empty.err
    allowed = run_cli(frozen, workdir, ["plan", "--detailed-exitcode", "--allow-empty"])
    assert allowed.code == 0 and "No changes." in allowed.out


def test_allow_empty_lets_an_emptied_tree_prune_the_stack(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    specs = workdir / "specs"
    assert apply(platform, workdir).code == 0
    (ours,) = stack_datasets(other)
    shutil.rmtree(specs / "datasets")
    shutil.rmtree(specs / "export-jobs")

    guarded = apply(platform, workdir, "--allow-empty", "--prune")
    assert guarded.code == 1, guarded.out + guarded.err  # --allow-destroy is still needed
    assert "Removed from the manifests:" in guarded.out
    assert set(stack_datasets(other)) == {ours}

    pruned = apply(platform, workdir, "--allow-empty", "--prune", "--allow-destroy")
    assert pruned.code == 0, pruned.out + pruned.err
    assert f"✓ delete Dataset/profile-export ({ours})" in pruned.out
    assert stack_datasets(other) == {}
