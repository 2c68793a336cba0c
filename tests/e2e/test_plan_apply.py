"""plan and apply run as a user would, against `reconciler emulator serve` on loopback."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import (
    HAND_CANCELS,
    OtherClient,
    Platform,
    Result,
    read_terminal,
    run_cli,
    wait_unlisted,
)

ANSI = "\033["
PROFILE_EXPORT = ("Dataset", "profile-export")


def plan(platform: Platform, cwd: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """`plan --detailed-exitcode --format json`: (exit code, the JSON plan)."""
    result = run_cli(platform, cwd, ["plan", "--detailed-exitcode", "--format", "json", *extra])
    assert result.code in (0, 2), result.out + result.err
    return result.code, json.loads(result.out)


def acting(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The changes that do something, by (kind, name)."""
    return {(c["kind"], c["name"]): c for c in document["changes"] if c["action"] != "no-op"}


def apply(platform: Platform, cwd: Path, *extra: str) -> Result:
    return run_cli(platform, cwd, ["apply", "--auto-approve", *extra])


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text, f"{old!r} not in {file}"
    file.write_text(text.replace(old, new))


def stack_datasets(other: OtherClient) -> dict[str, dict[str, Any]]:
    """The datasets carrying a manifest name (not the lock or any other bookkeeping)."""
    return {i: d for i, d in other.datasets().items() if "reconciler-name" in d.get("tags", {})}


def job_ids(other: OtherClient) -> set[str]:
    return {str(j["id"]) for j in other.jobs()}


def written(other: OtherClient) -> tuple[dict[str, str], set[str]]:
    """What a write would change: each dataset's version (bumped by every change), the jobs.

    (A finishing job sets its dataset's lastBatchId: the platform's doing, not a write.)
    """
    return {i: d["version"] for i, d in stack_datasets(other).items()}, job_ids(other)


def managed_dataset(other: OtherClient, name: str = "profile-export") -> tuple[str, dict[str, Any]]:
    found = [
        (i, d)
        for i, d in stack_datasets(other).items()
        if d.get("tags", {}).get("reconciler-name") == [name]
    ]
    assert len(found) == 1, found
    return found[0]


def job_name(job: dict[str, Any]) -> str:
    """Which specs/ manifest a live job was created for, told by its request."""
    if job["destination"].get("segmentPerBatch"):
        return "vip-emails"
    return "lapsed-customers" if job.get("fields") else "all-profiles"


def literal_job(root: Path, dataset_id: str) -> None:
    """An ExportJob manifest into a dataset given by id (not a Dataset manifest)."""
    (root / "export-jobs" / "into-a-table.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: ExportJob\nmetadata: {name: into-a-table}\n"
        f"spec:\n  destination: {{datasetId: '{dataset_id}'}}\n"
        "  schema: {name: _xdm.context.profile}\n"
    )


def wait_failed(other: OtherClient, dataset_id: str) -> None:
    """Until the job into ``dataset_id`` ended FAILED (bounded; not a timing assertion)."""
    deadline = time.monotonic() + 60
    while not any(
        j.get("destination", {}).get("datasetId") == dataset_id and j.get("status") == "FAILED"
        for j in other.jobs()
    ):
        assert time.monotonic() < deadline, "the job into a non-profile dataset never FAILED"
        time.sleep(0.05)


def events_dataset(other: OtherClient) -> str:
    """A dataset on a schema that is not the profile union: exports into it FAIL."""
    return other.create_dataset(
        {"name": "Web events", "schemaRef": {"id": "https://ns.adobe.com/acme/schemas/events"}}
    )


def run_on_terminal(platform: Platform, cwd: Path, args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal; what it printed there."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aep_reconciler", *args],
        cwd=cwd,
        env=env,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    return read_terminal(platform, leader, proc)


def test_apply_then_plan_converges(platform: Platform, other: OtherClient, workdir: Path) -> None:
    first = run_cli(platform, workdir, ["plan", "--detailed-exitcode", "--format", "json"])
    assert first.code == 2, first.err
    actions = {(c["kind"], c["name"]): c["action"] for c in json.loads(first.out)["changes"]}
    assert actions == {
        ("Dataset", "profile-export"): "create",
        ("ExportJob", "all-profiles"): "create",
        ("ExportJob", "lapsed-customers"): "create",
        ("ExportJob", "vip-emails"): "create",
    }
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    assert "4 succeeded, 0 failed" in applied.out
    assert "+ Dataset/profile-export" in applied.out and ANSI not in applied.out  # a pipe
    again = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out

    state = written(other)
    second = apply(platform, workdir)
    assert second.code == 0, second.out + second.err
    assert "No changes." in second.out
    assert written(other) == state  # no write: versions unchanged

    edit(workdir / "specs" / "datasets" / "profile-export.yaml", "by the", "by our")
    markdown = run_cli(platform, workdir, ["plan", "--format", "markdown"])
    assert markdown.code == 0, markdown.err
    assert "| create | update | replace | cancel | delete |" in markdown.out
    assert "| 0 | 1 | 0 | 0 | 0 |" in markdown.out
    assert "<details>" in markdown.out and "</details>" in markdown.out
    assert "<summary><code>~</code> <b>Dataset/profile-export</b>" in markdown.out
    assert '+ description: "Profiles exported by our marketing-exports stack"' in markdown.out

    coloured = {k: v for k, v in platform.env.items() if k != "NO_COLOR"}
    assert ANSI in run_on_terminal(platform, workdir, ["plan"], coloured)
    plain = run_on_terminal(platform, workdir, ["plan"], platform.env)  # NO_COLOR is set
    assert "~ Dataset/profile-export" in plain and ANSI not in plain


def test_dataset_edits(platform: Platform, other: OtherClient, workdir: Path) -> None:
    specs = workdir / "specs"
    manifest = specs / "datasets" / "profile-export.yaml"
    scratch = specs / "datasets" / "scratch.yaml"
    scratch.write_text(manifest.read_text().replace("name: profile-export", "name: scratch"))
    assert apply(platform, workdir).code == 0
    old_id, _ = managed_dataset(other)

    edit(manifest, "description: Profiles", "description: All profiles")
    code, doc = plan(platform, workdir)
    assert code == 2
    assert {k: (c["action"], c["paths"], c["origin"]) for k, c in acting(doc).items()} == {
        PROFILE_EXPORT: ("update", ["description"], "config")
    }
    assert doc["drift"] == []
    assert apply(platform, workdir).code == 0

    edit(manifest, "version=1", "version=2")  # schemaRef cannot change in place
    edit(manifest, "preventDestroy: true", "preventDestroy: false")
    code, doc = plan(platform, workdir)
    assert code == 2
    replace = acting(doc)[PROFILE_EXPORT]
    assert (replace["action"], replace["paths"]) == ("replace", ["schemaRef.contentType"])
    assert "--allow-destroy" in replace["blocked"]

    replaced = apply(platform, workdir, "--allow-destroy")
    assert replaced.code == 0, replaced.out + replaced.err
    new_id, live = managed_dataset(other)
    assert new_id != old_id and old_id not in stack_datasets(other)
    assert live["schemaRef"]["contentType"].endswith("version=2")

    scratch.unlink()
    code, doc = plan(platform, workdir)
    orphaned = [f for f in doc["findings"] if f["type"] == "orphaned"]
    assert [(f["name"], f["origin"]) for f in orphaned] == [("scratch", "config")]
    assert ("Dataset", "scratch") not in acting(doc)
    scratch_id = managed_dataset(other, "scratch")[0]
    assert "blocked" in apply(platform, workdir, "--prune").out
    assert scratch_id in other.datasets()
    pruned = apply(platform, workdir, "--prune", "--allow-destroy")
    assert pruned.code == 0, pruned.out + pruned.err
    assert scratch_id not in other.datasets()


def test_apply_skips_a_blocked_replace_and_says_so(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    manifest = workdir / "specs" / "datasets" / "profile-export.yaml"
    assert apply(platform, workdir).code == 0
    state = written(other)
    edit(manifest, "version=1", "version=2")
    edit(manifest, "preventDestroy: true", "preventDestroy: false")
    skipped = apply(platform, workdir)
    assert skipped.code == 1, skipped.out + skipped.err  # CI must not read this as applied
    assert "blocked: loses the dataset's data" in skipped.out
    assert "Nothing to apply: 1 blocked change(s) not applied." in skipped.out
    assert "  blocked Dataset/profile-export: loses the dataset's data" in skipped.out
    assert written(other) == state


def test_export_job_edits(frozen: Platform, workdir: Path) -> None:
    other = OtherClient(frozen)
    jobs = workdir / "specs" / "export-jobs"
    assert apply(frozen, workdir).code == 0
    assert {j["status"] for j in other.jobs()} == {"NEW"}  # the clock stands still

    ids = {job_name(j): str(j["id"]) for j in other.jobs()}
    edit(jobs / "all-profiles.yaml", "emptyProfiles: true", "emptyProfiles: false")
    (jobs / "lapsed-customers.yaml").unlink()
    code, doc = plan(frozen, workdir)
    assert code == 2
    changes = acting(doc)
    assert {k: c["action"] for k, c in changes.items()} == {
        ("ExportJob", "all-profiles"): "replace",
        ("ExportJob", "lapsed-customers"): "cancel",
    }
    assert changes[("ExportJob", "all-profiles")]["cancel_ids"] == [ids["all-profiles"]]
    assert changes[("ExportJob", "all-profiles")]["paths"] == ["filter.emptyProfiles"]
    assert changes[("ExportJob", "lapsed-customers")]["cancel_ids"] == [ids["lapsed-customers"]]

    applied = apply(frozen, workdir)
    assert applied.code == 0, applied.out + applied.err
    # cancel=linger (Adobe's default): the two cancelled jobs stay listed, unchanged, until
    # the linger window (60 s) passes; reconciler knows it cancelled them all the same
    cancelled = {ids["all-profiles"], ids["lapsed-customers"]}
    live = job_ids(other)
    assert cancelled <= live and ids["vip-emails"] in live and len(live - cancelled) == 2
    assert run_cli(frozen, workdir, ["plan", "--detailed-exitcode"]).code == 0

    other.advance_clock(3600)  # every job finishes (writing its export first)
    assert {j["status"] for j in other.settled_jobs()} == {"SUCCEEDED"}
    live = job_ids(other)  # past the linger window the cancelled jobs are gone
    assert not cancelled & live and ids["vip-emails"] in live and len(live) == 2
    assert run_cli(frozen, workdir, ["plan", "--detailed-exitcode"]).code == 0
    edit(jobs / "all-profiles.yaml", "emptyProfiles: false", "emptyProfiles: true")
    (jobs / "vip-emails.yaml").unlink()  # finished: nothing to cancel
    code, doc = plan(frozen, workdir)
    assert code == 2
    assert {k: c["action"] for k, c in acting(doc).items()} == {
        ("ExportJob", "all-profiles"): "create"
    }
    assert "stays as history" in acting(doc)[("ExportJob", "all-profiles")]["reason"]


@HAND_CANCELS
def test_out_of_band_changes_are_drift(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    events = events_dataset(other)
    literal_job(workdir / "specs", events)
    assert apply(platform, workdir).code == 0
    wait_failed(other, events)  # the plan below reads it FAILED (jobs end after ~0.2 s)
    dataset_id, _ = managed_dataset(other)
    other.patch_dataset(dataset_id, {"name": "Renamed by hand"})
    vip = next(j for j in other.jobs() if j.get("destination", {}).get("segmentPerBatch"))
    other.cancel_job(str(vip["id"]))
    wait_unlisted(other.jobs, str(vip["id"]))  # a hand cancel shows once the job is gone
    theirs = other.create_job(
        {"destination": {"datasetId": dataset_id}, "schema": {"name": "_xdm.context.profile"}}
    )

    code, doc = plan(platform, workdir)
    assert code == 2
    changes = acting(doc)
    assert {k: (c["action"], c["origin"]) for k, c in changes.items()} == {
        PROFILE_EXPORT: ("update", "platform"),
        ("ExportJob", "vip-emails"): ("create", "platform"),
        ("ExportJob", "into-a-table"): ("create", "platform"),
    }
    assert changes[PROFILE_EXPORT]["paths"] == ["name"]
    assert changes[PROFILE_EXPORT]["after"]["name"] == "Profile Data Export"
    assert "FAILED" in changes[("ExportJob", "into-a-table")]["reason"]
    drift = {(f["type"], f["name"]): f for f in doc["drift"]}
    assert set(drift) == {
        ("changed", "profile-export"),
        ("missing", "vip-emails"),
        ("failed", "into-a-table"),
        ("unmanaged", f"job-{theirs['id']}"),
    }
    assert all(f["origin"] == "platform" for f in doc["drift"])
    assert all(str(theirs["id"]) not in c["cancel_ids"] for c in doc["changes"])

    text = run_cli(platform, workdir, ["plan"])
    assert "Changed outside reconciler:" in text.out
    assert apply(platform, workdir).code == 0
    assert other.dataset(dataset_id)["name"] == "Profile Data Export"
    assert str(theirs["id"]) in job_ids(other)  # never touched


def test_saved_plans(platform: Platform, other: OtherClient, workdir: Path) -> None:
    saved, copy = workdir / "first.plan", workdir / "copy.plan"
    assert run_cli(platform, workdir, ["plan", "--out", str(saved)]).code == 0
    shutil.copy(saved, copy)
    first = run_cli(platform, workdir, ["apply", "--plan", str(saved)])
    assert first.code == 0, first.out + first.err
    state = written(other)
    for replay in (saved, copy):
        refused = run_cli(platform, workdir, ["apply", "--plan", str(replay)])
        assert refused.code == 1, refused.out
        assert "Traceback" not in refused.err
    assert written(other) == state

    edit(workdir / "specs" / "datasets" / "profile-export.yaml", "by the", "by our")
    stale = workdir / "stale.plan"
    assert run_cli(platform, workdir, ["plan", "--out", str(stale)]).code == 0
    dataset_id, _ = managed_dataset(other)
    other.patch_dataset(dataset_id, {"name": "Moved meanwhile"})
    refused = run_cli(platform, workdir, ["apply", "--plan", str(stale)])
    assert refused.code == 1
    assert "stale" in refused.err and f"Dataset/{dataset_id}" in refused.err
    assert other.dataset(dataset_id)["name"] == "Moved meanwhile"


def test_approval_protection_and_wait(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    specs = workdir / "specs"
    asked = run_cli(platform, workdir, ["apply"])  # no terminal, no --auto-approve
    assert asked.code == 1 and "--auto-approve" in asked.err
    assert stack_datasets(other) == {} and other.jobs() == []

    edit(specs / "reconciler.yaml", "  local:\n", "  local:\n    protected: true\n")
    protected = apply(platform, workdir)
    assert protected.code == 1 and "--confirm-target local" in protected.err
    assert stack_datasets(other) == {}

    waited = apply(platform, workdir, "--confirm-target", "local", "--wait")
    assert waited.code == 0, waited.out + waited.err
    assert {j["status"] for j in other.jobs()} == {"SUCCEEDED"}

    literal_job(specs, events_dataset(other))
    failed = apply(platform, workdir, "--confirm-target", "local", "--wait")
    assert failed.code == 1
    assert "did not succeed" in failed.out
