"""One measurement of each reader against one served platform."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from aep_reconciler.emulator import Credential, EmulatorConfig, create_app
from bench.child import run_child
from bench.floor import DATASETS, headers, job_pages, read_floor, token
from bench.refresh import refresh
from bench.scenarios import PARALLELISM
from bench.server import CLIENT_ID, ORG_ID, SECRET, Server, reconciler_cmd


def plan(server: Server, sandbox: str, specs: Path, cwd: Path) -> dict[str, Any]:
    """One ``reconciler plan`` run from ``cwd`` (where its cursor cache lives)."""
    run = run_child(reconciler_cmd("plan", str(specs.resolve())), server.env(sandbox), str(cwd))
    if run.code != 0:
        raise RuntimeError(f"plan failed ({run.code}): {run.err[-2000:]}")
    datasets, jobs, requests = run.observed()
    return {
        "seconds": run.seconds,
        "cpu_seconds": run.cpu_seconds,
        "max_rss_mb": run.max_rss_mb,
        "requests": requests,  # the token call included
        "datasets": datasets,
        "jobs": jobs,
    }


def floor(server: Server, sandbox: str, stack: str) -> dict[str, Any]:
    reading = asyncio.run(read_floor(server.url, sandbox, stack))
    return {"seconds": reading.seconds, "requests": reading.requests, "jobs": reading.jobs}


def object_ids(db: Path, tenant: str) -> tuple[list[str], list[int]]:
    conn = sqlite3.connect(db)
    try:
        datasets = [
            r[0] for r in conn.execute("SELECT id FROM datasets WHERE tenant = ?", (tenant,))
        ]
        jobs = [r[0] for r in conn.execute("SELECT id FROM jobs WHERE tenant = ?", (tenant,))]
    finally:
        conn.close()
    return datasets, jobs


def terraform_refresh(server: Server, sandbox: str, db: Path, cap: int) -> dict[str, Any]:
    """One GET per object of the sandbox; beyond ``cap`` GETs the time is extrapolated."""
    datasets, jobs = object_ids(db, f"{ORG_ID}/{sandbox}")
    total = len(datasets) + len(jobs)
    share = min(1.0, cap / total) if total else 1.0
    some_datasets = datasets[: round(len(datasets) * share)]
    some_jobs = jobs[: round(len(jobs) * share)]
    reading = asyncio.run(refresh(server.url, sandbox, some_datasets, some_jobs))
    done = reading.requests
    return {
        "seconds": reading.seconds * total / done if done else 0.0,
        "measured_seconds": reading.seconds,
        "requests": total,
        "measured_requests": done,
        "extrapolated": done < total,
    }


def aepp(server: Server, sandbox: str, stack: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.aepp_reader", server.url, sandbox, stack]
    run = run_child(cmd, server.env(sandbox))
    if run.code != 0:
        return {"error": run.err.strip().splitlines()[-1:] or ["failed"]}
    return {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "max_rss_mb": run.max_rss_mb}


def emulator_page_ms(db: Path, sandbox: str) -> float:
    """Median time of one 100-job list answer from the in-process app (client parse included)."""
    config = EmulatorConfig(
        db_path=str(db), credentials=(Credential(ORG_ID, CLIENT_ID, SECRET),), job_start_after=1e6
    )
    app = create_app(config)

    async def pages() -> list[float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            http.headers.update(headers(await token(http, "http://emulator"), sandbox))
            times: list[float] = []
            for _ in range(3):
                started = time.perf_counter()
                _, requests = await job_pages(http, "http://emulator", max_pages=100)
                times.append((time.perf_counter() - started) * 1000 / requests)
            return times

    try:
        return sorted(asyncio.run(pages()))[1]
    finally:
        app.state.platform.close()


def apply_creates(server: Server, sandbox: str, specs: Path, creates: int) -> dict[str, Any]:
    """``reconciler apply`` of ``creates`` new datasets; the apply phase is timed from the
    plan's summary line to "Apply complete" (the child writes unbuffered)."""
    cmd = reconciler_cmd("apply", "--auto-approve", "--parallelism", str(PARALLELISM), str(specs))
    run = run_child(cmd, server.env(sandbox))
    if run.code != 0:
        raise RuntimeError(f"apply failed ({run.code}): {run.err[-2000:]}")
    phase = run.first_line_at("Apply complete") - run.first_line_at("Plan:")
    floor_s = creates / PARALLELISM * server.latency_ms / 1000
    return {
        "seconds": run.seconds,
        "apply_phase_seconds": phase,
        "cpu_seconds": run.cpu_seconds,
        "max_rss_mb": run.max_rss_mb,
        "creates": creates,
        "floor_seconds": floor_s,
        "raw_httpx_seconds": asyncio.run(raw_creates(server, f"{sandbox}raw", creates)),
    }


async def raw_creates(server: Server, sandbox: str, creates: int) -> float:
    """The same number of POST /dataSets, ``PARALLELISM`` in flight, raw httpx."""
    limits = httpx.Limits(max_connections=PARALLELISM, max_keepalive_connections=PARALLELISM)
    body = {
        "name": "raw",
        "schemaRef": {
            "id": "https://ns.adobe.com/xdm/context/profile__union",
            "contentType": "application/vnd.adobe.xed+json;version=1",
        },
    }
    slots = asyncio.Semaphore(PARALLELISM)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        http.headers.update(headers(await token(http, server.url), sandbox))

        async def create() -> None:
            async with slots:
                answer = await http.post(f"{server.url}{DATASETS}", json=body)
                answer.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(create() for _ in range(creates)))
        return time.perf_counter() - started
