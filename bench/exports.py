"""``python -m bench.exports``: the profile store and export engine at 1,000,000 profiles.

Seeds 1,000,000 profiles with 5 events each (``emulator seed --profiles``), serves the
database, runs an export job over every profile with two segments and four fields, and
meanwhile reads the 100-job list page again and again. Records the seed time, the export's
time (the job's own profileExportTime + aCPDatasetWriteTime), the server's peak RSS, the
list page latencies, and the floor: DuckDB's own ``COPY … TO … (FORMAT parquet)`` of the
same rows. Results go to bench/results/exports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx

from aep_reconciler.emulator.profiles.storage import Storage
from bench.server import CLIENT_ID, ORG_ID, SECRET, reconciler_cmd, seed

RESULTS = Path(__file__).parent / "results" / "exports.json"
FIELDS = "identities.id,person.name,personalEmail.address,homeAddress.countryCode"
SEGMENTS = ("VIP customers", "Lapsed customers")


def _serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    cmd = reconciler_cmd("emulator", "serve", "--port", "0", "--db", str(db))
    cmd += ["--job-start-after", "0", "--job-run-for", "0"]
    env = {**os.environ, "RECONCILER_EMULATOR_CLIENT_SECRET": SECRET}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line.split(" on ", 1)[1].split()[0]


def _client(url: str) -> httpx.Client:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET}
    token = httpx.post(f"{url}/ims/token/v3", data={**form, "scope": "openid"}).json()
    headers = {
        "Authorization": f"Bearer {token['access_token']}",
        "x-api-key": CLIENT_ID,
        "x-gw-ims-org-id": ORG_ID,
        "x-sandbox-name": "prod",
    }
    return httpx.Client(base_url=url, headers=headers, timeout=60)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _job(http: httpx.Client) -> dict[str, Any]:
    dataset = (
        http.post(
            "/data/foundation/catalog/dataSets",
            json={
                "name": "bench-export",
                "schemaRef": {"id": "https://ns.adobe.com/xdm/context/profile__union"},
                "fileDescription": {"persisted": True, "format": "parquet"},
            },
        )
        .json()[0]
        .rsplit("/", 1)[1]
    )
    segments = http.get("/data/core/ups/segment/definitions", params={"limit": 100}).json()
    ids = {s["name"]: s["id"] for s in segments["segments"]}
    body = {
        "fields": FIELDS,
        "filter": {"segments": [{"segmentId": ids[n]} for n in SEGMENTS]},
        "destination": {"datasetId": dataset},
        "schema": {"name": "_xdm.context.profile"},
    }
    job: dict[str, Any] = http.post("/data/core/ups/export/jobs", json=body).json()
    return job


def _follow(http: httpx.Client, job_id: int) -> tuple[dict[str, Any], list[float], float]:
    """Read the 100-job page while the job runs; the job, the page latencies (ms), wall s."""
    latencies: list[float] = []
    started = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        page = http.get("/data/core/ups/export/jobs", params={"limit": 100})
        latencies.append((time.perf_counter() - t0) * 1000)
        assert len(page.json()["records"]) == 100
        job: dict[str, Any] = http.get(f"/data/core/ups/export/jobs/{job_id}").json()
        if job["status"] in ("SUCCEEDED", "FAILED"):
            return job, latencies, time.perf_counter() - started
        time.sleep(0.02)


def _floor(db: Path, batch_id: str, out: Path) -> float:
    """DuckDB's own COPY of the exported rows to Parquet: the least an export can cost."""
    folder = next((Storage(str(db)).root / "datasets").rglob(batch_id))
    con = duckdb.connect(config={"threads": 2})
    t0 = time.perf_counter()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{folder}/*.parquet')) TO '{out}' (FORMAT parquet)"
    )
    return time.perf_counter() - t0


def run(profiles: int, events: int, work: Path) -> dict[str, Any]:
    db = work / "platform.db"
    seed(db, datasets=20, jobs=200)
    t0 = time.perf_counter()
    subprocess.run(
        reconciler_cmd(
            "emulator", "seed", "--db", str(db), "--profiles", str(profiles),
            "--events-per-profile", str(events),
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    seeded = time.perf_counter() - t0
    proc, url = _serve(db)
    try:
        with _client(url) as http:
            job = _job(http)
            done, latencies, wall = _follow(http, job["id"])
        rss = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    metrics = done["metrics"]
    export_s = (
        metrics["aCPDatasetWriteTime"]["endTimeInMs"]
        - metrics["profileExportTime"]["startTimeInMs"]
    ) / 1000
    floor = _floor(db, done["destination"]["batchId"], work / "floor.parquet")
    return {
        "profiles": profiles,
        "events_per_profile": events,
        "seed_s": round(seeded, 2),
        "status": done["status"],
        "exported_profiles": metrics.get("totalExportedProfileCounter"),
        "export_s": round(export_s, 2),
        "select_s": round(metrics["profileExportTime"]["totalTimeInMs"] / 1000, 2),
        "write_s": round(metrics["aCPDatasetWriteTime"]["totalTimeInMs"] / 1000, 2),
        "job_wall_s": round(wall, 2),
        "floor_copy_s": round(floor, 2),
        "export_over_floor": round(export_s / floor, 1) if floor else None,
        "server_peak_rss_mb": round(rss),
        "list_page_ms": {
            "samples": len(latencies),
            "p50": round(statistics.median(latencies), 1),
            "p95": round(sorted(latencies)[int(len(latencies) * 0.95) - 1], 1),
            "max": round(max(latencies), 1),
        },
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__)
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--events-per-profile", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as work:
        result = run(args.profiles, args.events_per_profile, Path(work))
    print(json.dumps(result, indent=2))
    if args.profiles == 1_000_000:
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
