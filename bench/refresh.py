"""A Terraform-style refresh: one GET per known object, 10 in flight, raw httpx."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import httpx

from bench.floor import DATASETS, JOBS, Reading, headers, token

IN_FLIGHT = 10


async def refresh(
    url: str, sandbox: str, dataset_ids: Sequence[str], job_ids: Sequence[int]
) -> Reading:
    """GET each dataset and job by id, ``IN_FLIGHT`` at a time (Terraform's -parallelism=10)."""
    paths = [f"{DATASETS}/{i}" for i in dataset_ids] + [f"{JOBS}/{i}" for i in job_ids]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        http.headers.update(headers(await token(http, url), sandbox))

        async def worker() -> None:
            while not queue.empty():
                answer = await http.get(url + queue.get_nowait())
                answer.raise_for_status()
                answer.json()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        seconds = time.perf_counter() - started
    return Reading(seconds, len(paths), len(dataset_ids), len(job_ids))
