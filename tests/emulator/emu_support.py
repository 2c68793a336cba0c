"""Shared constants and the small authenticated API helper of the emulator tests."""

from __future__ import annotations

import asyncio
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from aep_reconciler.wire import CATALOG_BASE, PROFILE_UNION_SCHEMA, UPS_BASE

ORG = "embedded@AdobeOrg"
CLIENT_ID = "reconciler-embedded"
SECRET = "embedded-secret"
DATASETS = f"{CATALOG_BASE}/dataSets"
JOBS = f"{UPS_BASE}/export/jobs"


class Api:
    """Authenticated calls against one tenant of the platform."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def login(self, client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
        form = {"grant_type": "client_credentials", "client_id": client_id}
        form |= {"client_secret": secret, "scope": "openid,AdobeID"}
        resp = await self.client.post("/ims/token/v3", data=form)
        assert resp.status_code == 200, resp.text
        self.token = str(resp.json()["access_token"])
        return self.token

    def headers(self, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": CLIENT_ID,
            "x-gw-ims-org-id": ORG,
        }
        if sandbox is not None:
            headers["x-sandbox-name"] = sandbox
        headers.update(extra)
        return headers

    async def call(
        self, method: str, url: str, sandbox: str | None = "prod", **kwargs: Any
    ) -> httpx.Response:
        headers = self.headers(sandbox, **kwargs.pop("headers", {}))
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def create_dataset(
        self, name: str = "ds", sandbox: str = "prod", profile: bool = True, **fields: Any
    ) -> str:
        body: dict[str, Any] = {
            "name": name,
            "schemaRef": {
                "id": PROFILE_UNION_SCHEMA if profile else "https://ns.adobe.com/acme/schemas/x",
                "contentType": "application/vnd.adobe.xed+json;version=1",
            },
            "fileDescription": {"persisted": True},
            **fields,
        }
        resp = await self.call("POST", DATASETS, sandbox, json=body)
        assert resp.status_code == 201, resp.text
        return str(resp.json()[0].rsplit("/", 1)[1])  # "@/dataSets/{ID}" or "@/datasets/{ID}"

    async def create_job(
        self, dataset_id: str, sandbox: str = "prod", **fields: Any
    ) -> dict[str, Any]:
        body = {
            "destination": {"datasetId": dataset_id},
            "schema": {"name": "_xdm.context.profile"},
        }
        body.update(fields)
        resp = await self.call("POST", JOBS, sandbox, json=body)
        assert resp.status_code == 200, resp.text
        job: dict[str, Any] = resp.json()
        return job

    async def finished(self, job_id: int, timeout: float = 60.0) -> dict[str, Any]:
        """Poll a job until SUCCEEDED or FAILED: its export runs on the platform's worker
        thread, so a job that is due may still be writing its files for a moment."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            resp = await self.call("GET", f"{JOBS}/{job_id}")
            assert resp.status_code == 200, resp.text
            job: dict[str, Any] = resp.json()
            if job["status"] in ("SUCCEEDED", "FAILED"):
                return job
            assert loop.time() < deadline, f"job {job_id} still {job['status']}"
            await asyncio.sleep(0.01)


@contextmanager
def served(db: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``reconciler emulator serve`` on a free loopback port until the block ends."""
    command = [sys.executable, "-m", "aep_reconciler", "emulator", "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--db", str(db), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        match = re.search(r"http://[^\s]+", line)
        if match is None:
            proc.kill()
            _, err = proc.communicate(timeout=10)
            raise AssertionError(f"no banner from emulator serve: {line!r} {err}")
        yield match[0], proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
