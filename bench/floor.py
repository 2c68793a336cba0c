"""The request floor: the minimum list requests at the page cap, raw httpx, nothing else."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from aep_reconciler.live import DATASET_PROPERTIES
from aep_reconciler.ownership import STACK_TAG
from bench.server import CLIENT_ID, ORG_ID, SECRET

PAGE = 100
DATASETS = "/data/foundation/catalog/dataSets"
JOBS = "/data/core/ups/export/jobs"


@dataclass(frozen=True)
class Reading:
    """What one reader fetched: wall seconds, HTTP requests (token excluded), objects."""

    seconds: float
    requests: int
    datasets: int
    jobs: int


async def token(http: httpx.AsyncClient, url: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scope": "openid,AdobeID",
    }
    answer = await http.post(f"{url}/ims/token/v3", data=form)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def headers(access_token: str, sandbox: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {access_token}",
        "x-api-key": CLIENT_ID,
        "x-gw-ims-org-id": ORG_ID,
        "x-sandbox-name": sandbox,
        "Accept": "application/json",
    }


async def dataset_pages(http: httpx.AsyncClient, url: str, stack: str) -> tuple[int, int]:
    """The stack's datasets, tag-filtered and projected: (datasets, requests).

    Read until an empty page, as any correct Catalog client must: a short page is not the end.
    """
    found, start, requests = 0, 0, 0
    params: dict[str, Any] = {"tags": f"{STACK_TAG}:{stack}", "limit": PAGE}
    params["properties"] = ",".join(DATASET_PROPERTIES)
    while True:
        answer = await http.get(f"{url}{DATASETS}", params={**params, "start": start})
        requests += 1
        page = answer.json()
        if not page:
            return found, requests
        found += len(page)
        start += len(page)


async def job_pages(
    http: httpx.AsyncClient, url: str, max_pages: int | None = None
) -> tuple[int, int]:
    """Every export job through the cursor (or the first ``max_pages``): (jobs, requests)."""
    found, requests = 0, 0
    params: dict[str, Any] = {"limit": PAGE}
    while max_pages is None or requests < max_pages:
        answer = await http.get(f"{url}{JOBS}", params=params)
        requests += 1
        body = answer.json()
        found += len(body["records"])
        offset = body["page"]["pageOffset"]
        if not body["link"]["next"]:
            return found, requests
        params["offset"] = offset
    return found, requests


async def read_floor(url: str, sandbox: str, stack: str) -> Reading:
    async with httpx.AsyncClient(timeout=60) as http:
        http.headers.update(headers(await token(http, url), sandbox))
        started = time.perf_counter()
        datasets, dataset_requests = await dataset_pages(http, url, stack)
        jobs, job_requests = await job_pages(http, url)
        seconds = time.perf_counter() - started
    return Reading(seconds, dataset_requests + job_requests, datasets, jobs)
