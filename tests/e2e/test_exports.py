"""Exports that export, as a user runs them: apply --wait, then output --download.

The downloaded Parquet files are read with pyarrow; the profiles they must hold are worked
out here from the platform's profile store (its Parquet files, also read with pyarrow), by
the job's documented filter, in plain Python.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from aep_reconciler.emulator.profiles.storage import Storage
from tests.e2e.conftest import OtherClient, Platform, read_terminal, reconciler, run_cli

TENANT = "embedded@AdobeOrg/prod"


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _store(platform: Platform) -> dict[str, list[dict[str, Any]]]:
    folder = Storage(str(platform.db)).profiles(TENANT)
    names = ("profiles", "memberships", "events")
    return {n: pq.read_table(folder / f"{n}.parquet").to_pylist() for n in names}


def _vip_emails_selection(store: dict[str, list[dict[str, Any]]], vip: str) -> dict[str, int]:
    """ECID → profile of the profiles vip-emails selects (specs/export-jobs/vip-emails.yaml)."""
    low, high = _ms("2024-09-01T00:00:00Z"), _ms("2024-12-01T00:00:00Z")
    since = _ms("2024-08-25T20:22:04Z")  # 13:22:04-07:00
    members = {
        m["pid"]
        for m in store["memberships"]
        if m["segment_id"] == vip and m["status"] == "realized" and low <= m["qualified_ms"] <= high
    }
    return {
        next(i["id"] for i in p["identities"] if i["namespace"]["code"] == "ECID"): p["pid"]
        for p in store["profiles"]
        if p["pid"] in members and p["has_record"] and p["updated_ms"] >= since
    }


def _vip_id(other: OtherClient) -> str:
    answer = other.http.get("/data/core/ups/segment/definitions", params={"limit": 100})
    return str(next(s["id"] for s in answer.json()["segments"] if s["name"] == "VIP customers"))


def test_apply_wait_then_output_download_gives_exactly_the_selected_profiles(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    applied = run_cli(platform, workdir, ["apply", "--auto-approve", "--wait"])
    assert applied.code == 0, applied.out + applied.err
    counts = re.search(r"ExportJob/vip-emails \(job (\d+)\) SUCCEEDED: (\d+) profiles", applied.out)
    assert counts, applied.out

    out = workdir / "exports"
    shown = run_cli(platform, workdir, ["output", "ExportJob/vip-emails", "--download", str(out)])
    assert shown.code == 0, shown.out + shown.err
    assert f"ExportJob/vip-emails (job {counts[1]}) SUCCEEDED" in shown.out
    files = sorted(out.rglob("*.parquet"))
    assert files and all(str(f) in shown.out for f in files)
    rows = [row for f in files for row in pq.read_table(f).to_pylist()]

    expected = _vip_emails_selection(_store(platform), _vip_id(other))
    ecids = [next(i["id"] for i in r["identities"] if len(i["id"]) == 20) for r in rows]
    assert sorted(ecids) == sorted(expected) and len(expected) == int(counts[2]) > 0
    assert set(rows[0]) == {"identities", "personalEmail", "eventList"}
    assert all(
        set(e["environment"]["browserDetails"]) == {"name", "version"}
        for r in rows
        for e in r["eventList"]
    )

    as_json = run_cli(platform, workdir, ["output", "ExportJob/vip-emails", "--format", "json"])
    doc = json.loads(as_json.out)
    assert doc["job"]["status"] == "SUCCEEDED" and doc["profiles"] == len(rows)
    [batch] = doc["batches"]
    assert batch["status"] == "success" and batch["records"] == len(rows)
    assert batch["segmentId"] == _vip_id(other)


def test_a_download_that_stopped_resumes_where_it_was(platform: Platform, workdir: Path) -> None:
    assert run_cli(platform, workdir, ["apply", "--auto-approve", "--wait"]).code == 0
    whole, cut = workdir / "whole", workdir / "cut"
    args = ["output", "ExportJob/all-profiles", "--download"]
    assert run_cli(platform, workdir, [*args, str(whole)]).code == 0
    [full] = sorted(whole.rglob("*.parquet"))
    partial = cut / full.relative_to(whole)
    partial.parent.mkdir(parents=True)
    partial.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    assert run_cli(platform, workdir, [*args, str(cut)]).code == 0
    assert partial.read_bytes() == full.read_bytes()


def test_a_download_shows_its_progress_on_a_terminal_only(
    platform: Platform, workdir: Path
) -> None:
    assert run_cli(platform, workdir, ["apply", "--auto-approve", "--wait"]).code == 0
    args = ["output", "ExportJob/all-profiles", "--download"]
    piped = run_cli(platform, workdir, [*args, str(workdir / "piped")])
    assert piped.code == 0 and "downloading" not in piped.err
    [part] = sorted((workdir / "piped").rglob("*.parquet"))
    size = part.stat().st_size

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aep_reconciler", *args, str(workdir / "shown")],
        cwd=workdir,
        env=platform.env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    terminal = read_terminal(platform, leader, proc)
    assert proc.returncode == 0, terminal
    assert f"downloading {part.name}: {size:,} of {size:,} bytes" in terminal


def test_output_preview_shows_the_first_rows_of_the_jobs_own_batch(
    platform: Platform, workdir: Path
) -> None:
    only = ["--only", "ExportJob/vip-emails"]  # its batch is then the dataset's latest
    assert run_cli(platform, workdir, ["apply", "--auto-approve", "--wait", *only]).code == 0
    out = workdir / "exports"
    args = ["output", "ExportJob/vip-emails", "--download", str(out), "--preview", "3"]
    shown = run_cli(platform, workdir, args)
    assert shown.code == 0, shown.out + shown.err
    [part] = sorted(out.rglob("*.parquet"))
    exported = pq.read_table(part).to_pylist()
    ids = {i["id"] for row in exported for i in row["identities"]}

    lines = shown.out.splitlines()
    at = lines.index(f"  preview of batch {part.parent.name}, first 3 rows:")
    rows = lines[at + 1 :]
    assert len(rows) == 3 and all(r.startswith('    {"identities":[{"id":"') for r in rows)
    assert all(len(r) <= 160 for r in rows) and any(r.endswith("…") for r in rows)
    assert all(re.search(r'"id":"([^"]+)"', r)[1] in ids for r in rows)  # type: ignore[index]

    as_json = run_cli(platform, workdir, [*args[:2], "--preview", "--format", "json"])
    assert as_json.code == 0, as_json.err
    preview = json.loads(as_json.out)["preview"]
    assert preview["batchId"] == part.parent.name and preview["withheld"] is None
    assert len(preview["rows"]) == 5  # the default
    assert all(r["identities"] in [e["identities"] for e in exported] for r in preview["rows"])
    assert all(set(r) == {"identities", "personalEmail", "eventList"} for r in preview["rows"])


def test_output_preview_never_shows_another_jobs_rows(platform: Platform, workdir: Path) -> None:
    """The three jobs write into one dataset; its preview shows the batch that came last."""
    assert run_cli(platform, workdir, ["apply", "--auto-approve", "--wait"]).code == 0
    docs = {}
    for name in ("all-profiles", "lapsed-customers", "vip-emails"):
        args = ["output", f"ExportJob/{name}", "--preview", "2", "--format", "json"]
        answer = run_cli(platform, workdir, args)
        assert answer.code == 0, answer.err
        docs[name] = json.loads(answer.out)
    [mine] = [n for n, d in docs.items() if d["preview"]["withheld"] is None]
    shown = docs.pop(mine)
    [latest] = [b["id"] for b in shown["batches"]]
    assert shown["preview"]["batchId"] == latest and len(shown["preview"]["rows"]) == 2
    for doc in docs.values():
        assert doc["preview"]["rows"] == [] and doc["preview"]["batchId"] == latest
        assert f"latest batch is batch {latest}, not this job's" in doc["preview"]["withheld"]
    other = next(iter(docs))
    text = run_cli(platform, workdir, ["output", f"ExportJob/{other}", "--preview"])
    assert text.code == 0 and "\n  no preview: dataset " in text.out


def test_output_preview_of_an_unfinished_job_says_there_is_nothing_yet(
    frozen: Platform, workdir: Path
) -> None:
    assert run_cli(frozen, workdir, ["apply", "--auto-approve"]).code == 0
    shown = run_cli(frozen, workdir, ["output", "ExportJob/vip-emails", "--preview"])
    assert shown.code == 0, shown.err
    assert shown.out.endswith("\n  no preview: the job has not succeeded (NEW)\n")


@pytest.mark.parametrize("rows", ["0", "1000", "five"])
def test_output_preview_takes_1_to_100_rows(tmp_path: Path, rows: str) -> None:
    proc = reconciler(tmp_path, os.environ, "output", "ExportJob/vip-emails", "--preview", rows)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        f"argument --preview: expected a number of rows from 1 to 100, got '{rows}'" in proc.stderr
    )


def test_an_unknown_segment_id_stops_plan_at_its_line_before_any_write(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    manifest = workdir / "specs" / "export-jobs" / "vip-emails.yaml"
    manifest.write_text(
        manifest.read_text().replace("segmentName: VIP customers", "segmentId: no-such-audience")
    )
    planned = run_cli(platform, workdir, ["plan"])
    assert planned.code == 1
    assert (
        "specs/export-jobs/vip-emails.yaml:14:20: error: spec.filter.segments[0].segmentId: "
        "no audience with id 'no-such-audience' in sandbox prod (target local)"
    ) in planned.err
    assert "Traceback" not in planned.err
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 1 and "vip-emails.yaml:14:20" in applied.err
    assert other.datasets() == {} and other.jobs() == []


def test_names_resolve_per_target_and_the_plan_shows_the_ids(
    platform: Platform, workdir: Path, other: OtherClient
) -> None:
    planned = run_cli(platform, workdir, ["plan"])
    assert planned.code == 0, planned.err
    vip = _vip_id(other)
    assert (
        f'ExportJob/vip-emails spec.filter.segments[0].segmentName: "VIP customers" → {vip}'
        in planned.out
    )
    doc = json.loads(run_cli(platform, workdir, ["plan", "--format", "json"]).out)
    assert {
        "kind": "ExportJob",
        "name": "vip-emails",
        "path": "spec.filter.segments[0].segmentName",
        "reference": "VIP customers",
        "id": vip,
    } in doc["resolved"]
    created = next(c for c in doc["changes"] if c["name"] == "vip-emails")
    assert created["after"]["filter"]["segments"][0]["segmentId"] == vip
