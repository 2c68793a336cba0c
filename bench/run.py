"""``python -m bench [--quick]``: seed, serve, measure every reader, print a table, write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import estate, measure, server
from bench.report import table, targets
from bench.scenarios import FULL, LATENCIES_MS, QUICK, Matrix, Size

RESULTS = Path(__file__).resolve().parent / "results"
STACK = "bench"
SANDBOX = "prod"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": list(os.getloadavg()),
    }


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fresh_dir(work: Path) -> Path:
    folder = Path(tempfile.mkdtemp(dir=work, prefix="cwd-"))
    (work / "last-cwd").write_text(str(folder))
    return folder


def last_dir(work: Path) -> Path:
    return Path((work / "last-cwd").read_text())


def measure_size(work: Path, size: Size, matrix: Matrix) -> list[dict[str, Any]]:
    db = work / f"estate-{size.datasets}-{size.jobs}.db"
    _log(f"seeding {size.label}")
    server.seed(db, size.datasets, size.jobs, SANDBOX)
    specs = estate.own_datasets(db, f"{server.ORG_ID}/{SANDBOX}", STACK, size.owned)
    root = estate.write_project(work / f"specs-{size.datasets}-{size.jobs}", STACK, specs)
    rows = []
    for latency in LATENCIES_MS:
        served = server.start(db, latency)
        try:
            _log(f"{size.label} at {latency:g} ms: floor, plan, refresh, aepp")
            row: dict[str, Any] = {
                "datasets": size.datasets,
                "jobs": size.jobs,
                "owned": size.owned,
                "latency_ms": latency,
                "floor": measure.floor(served, SANDBOX, STACK),
                # cold: a fresh folder, no cursor cache (one cursor, the minimum requests);
                # warm: the same folder again, the job list read as ranges at once
                "plan": measure.plan(served, SANDBOX, root, fresh_dir(work)),
                "plan_warm": measure.plan(served, SANDBOX, root, last_dir(work)),
                "refresh": measure.terraform_refresh(served, SANDBOX, db, matrix.refresh_cap),
                "aepp": measure.aepp(served, SANDBOX, STACK),
            }
        finally:
            served.stop()
        rows.append(row)
    rows[0]["emulator_page_ms"] = measure.emulator_page_ms(db, SANDBOX)
    db.unlink()
    return rows


def measure_apply(work: Path, creates: int) -> list[dict[str, Any]]:
    db = work / "apply.db"
    rows = []
    for n, latency in enumerate(LATENCIES_MS):
        sandbox = f"apply{n}"
        root = estate.write_project(
            work / f"apply-{n}", f"bench-apply-{n}", estate.new_specs(creates, "new")
        )
        served = server.start(db, latency)
        try:
            _log(f"apply of {creates} creates at {latency:g} ms")
            rows.append(
                {"latency_ms": latency, **measure.apply_creates(served, sandbox, root, creates)}
            )
        finally:
            served.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--out", type=Path, help="JSON file (default bench/results/<time>.json)")
    args = parser.parse_args(argv)
    matrix = QUICK if args.quick else FULL
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    started = time.perf_counter()
    try:
        result: dict[str, Any] = {
            "mode": "quick" if args.quick else "full",
            "machine": machine(),
            "plans": [row for size in matrix.sizes for row in measure_size(work, size, matrix)],
            "apply": measure_apply(work, matrix.creates),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["targets"] = targets(result)
    result["seconds"] = time.perf_counter() - started
    out = args.out or RESULTS / f"{time.strftime('%Y%m%dT%H%M%S')}-{result['mode']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"\nwrote {out}")
    return 0
