"""lifecycle.every and retries with backoff, through the CLI, with the platform's clock moved."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import OtherClient, Platform, run_cli
from tests.e2e.test_plan_apply import (
    acting,
    apply,
    edit,
    events_dataset,
    literal_job,
    managed_dataset,
    plan,
)

HOUR = 3600


def recorded_jobs(other: OtherClient, name: str) -> list[str]:
    """The ids the dataset's inventory records for manifest ``name`` (its own jobs)."""
    _, dataset = managed_dataset(other)
    return [
        v.split("#", 1)[1] for v in dataset["tags"].get(f"reconciler-job.{name}", ()) if "#" in v
    ]


def test_a_recurring_export_is_created_again_once_its_period_has_passed(
    frozen: Platform, workdir: Path
) -> None:
    other = OtherClient(frozen)
    jobs = workdir / "specs" / "export-jobs"
    edit(jobs / "all-profiles.yaml", "lifecycle:\n", "lifecycle:\n  every: P1D\n")
    assert apply(frozen, workdir).code == 0
    other.advance_clock(HOUR)  # the jobs run and succeed
    assert {j["status"] for j in other.settled_jobs()} == {"SUCCEEDED"}
    first = other.jobs()
    waiting = run_cli(frozen, workdir, ["plan", "--detailed-exitcode"])
    assert waiting.code == 0, waiting.out + waiting.err
    assert "No changes." in waiting.out  # and yet the reviewer sees when the next one runs
    head, line = waiting.out.split("Recurring exports, up to date:\n")[1].splitlines()[0:2]
    assert re.fullmatch(
        r"  ExportJob/all-profiles \((\d+)\): job \1 SUCCEEDED, last export 60 min ago; "
        r"next export in 23 h \(at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\), every 24 h",
        head,
    ), head
    assert not line.startswith("  ExportJob/")  # only the recurring one is listed
    markdown = run_cli(frozen, workdir, ["plan", "--format", "markdown"])
    assert f"#### Recurring exports, up to date\n\n- {head.strip()}\n" in markdown.out

    other.advance_clock(25 * HOUR)  # the export is 26 h old, its schedule says 24 h
    other = OtherClient(frozen)  # the token of a day ago has expired
    code, doc = plan(frozen, workdir)
    assert code == 2
    change = acting(doc)
    assert list(change) == [("ExportJob", "all-profiles")]
    assert change[("ExportJob", "all-profiles")]["action"] == "create"
    assert change[("ExportJob", "all-profiles")]["reason"] == "last export 26 h ago, every 24 h"
    assert [(f["type"], f["name"]) for f in doc["drift"]] == [("stale", "all-profiles")]
    drift = run_cli(frozen, workdir, ["drift"])
    assert drift.code == 2 and "stale        ExportJob/all-profiles" in drift.out, drift.out

    text = apply(frozen, workdir)
    assert text.code == 0, text.out + text.err
    now = other.jobs()
    assert len(now) == len(first) + 1  # one new export, no rerun of the one-shot jobs
    assert len(recorded_jobs(other, "all-profiles")) == 2
    assert run_cli(frozen, workdir, ["plan", "--detailed-exitcode"]).code == 0
    assert apply(frozen, workdir).code == 0
    assert len(other.jobs()) == len(now)  # 0 duplicates


def test_a_failing_export_is_retried_with_backoff_showing_the_error_and_the_next_try(
    frozen: Platform, workdir: Path
) -> None:
    other = OtherClient(frozen)
    literal_job(workdir / "specs", events_dataset(other))
    assert apply(frozen, workdir).code == 0

    def failed() -> list[str]:
        """The FAILED jobs, once the clock let every job run (10 s; it stands still)."""
        other.advance_clock(10)
        return [str(j["id"]) for j in other.settled_jobs() if j["status"] == "FAILED"]

    assert len(failed()) == 1
    code, doc = plan(frozen, workdir)  # the first failure is tried again at once
    assert acting(doc)[("ExportJob", "into-a-table")]["action"] == "create"
    assert apply(frozen, workdir).code == 0
    assert len(failed()) == 2

    shown = run_cli(frozen, workdir, ["plan", "--detailed-exitcode"])
    assert shown.code == 0, shown.out + shown.err  # nothing to do until the next try is due
    line = next(x for x in shown.out.splitlines() if "ExportJob/into-a-table" in x)
    assert "FAILED 2 times in a row" in line and "profile" in line  # the platform's error
    assert re.search(r"next try in 5 min \(at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)", line), line
    assert apply(frozen, workdir).code == 0
    assert len(failed()) == 2  # no new job before it is due

    other.advance_clock(5 * 60 - 18)  # 5 min after the second failure (Date: whole seconds)
    code, doc = plan(frozen, workdir)
    assert code == 2
    change = acting(doc)[("ExportJob", "into-a-table")]
    assert change["action"] == "create" and "FAILED 2 times in a row" in change["reason"]
    assert apply(frozen, workdir).code == 0
    assert len(failed()) == 3
    shown = run_cli(frozen, workdir, ["plan"])
    assert "FAILED 3 times in a row" in shown.out and "next try in 10 min" in shown.out
