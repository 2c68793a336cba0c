"""Fault injection (B.8): latency, rate limit, 5xx before any work, ambiguous creates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from aep_reconciler.emulator import ConnectionDropped, EmulatorConfig, ManualClock, create_app
from tests.emulator.emu_support import DATASETS, JOBS, Api

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def platform_api(**settings: Any) -> AsyncIterator[tuple[Api, Any]]:
    settings.setdefault("clock", ManualClock())
    app = create_app(EmulatorConfig(**settings))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://aep.test"
    ) as client:
        api = Api(client)
        await api.login()
        yield api, app.state.platform


def count(platform: Any, table: str) -> int:
    return int(platform.db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_latency_is_added_to_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    async with platform_api(latency_ms=250) as (api, _):
        await api.call("GET", DATASETS)
        await api.client.get("/_emulator/health")
    assert slept == [0.25, 0.25]  # the token call and the list; the control route is exempt


async def test_rate_limit_answers_429_with_both_hints() -> None:
    clock = ManualClock(start_ms=1_700_000_000_250)
    async with platform_api(rate_limit=2, clock=clock) as (api, _):
        assert (await api.call("GET", DATASETS)).status_code == 200
        assert (await api.call("GET", JOBS)).status_code == 200
        limited = await api.call("GET", DATASETS)
        assert limited.status_code == 429
        assert limited.json() == {
            "message": "Too many requests",
            "retryAfterMs": "750",
            "statusCode": "429",
        }
        assert limited.headers["Retry-After"] == "1"
        await api.login()  # the token endpoint is exempt
        # the window belongs to the authenticated client: a forged org header does not escape
        forged = await api.call("GET", DATASETS, headers={"x-gw-ims-org-id": "x@AdobeOrg"})
        assert forged.status_code == 429
        clock.advance(0.75)
        assert (await api.call("GET", DATASETS)).status_code == 200


async def test_fail_rate_answers_5xx_before_doing_anything() -> None:
    async with platform_api(fail_rate=1.0, seed=7) as (api, platform):
        statuses = set()
        for _ in range(30):
            body = {"name": "x", "schemaRef": {"id": "s"}}
            resp = await api.call("POST", DATASETS, json=body)
            statuses.add(resp.status_code)
            if resp.status_code == 503:
                assert int(resp.headers["Retry-After"]) >= 1
        assert statuses == {500, 502, 503}
        assert count(platform, "datasets") == 0


async def test_faults_are_deterministic_with_a_seed() -> None:
    async def sequence() -> list[int]:
        async with platform_api(fail_rate=0.5, seed=42) as (api, _):
            return [(await api.call("GET", DATASETS)).status_code for _ in range(20)]

    first = await sequence()
    assert first == await sequence()
    assert 200 in first and any(s >= 500 for s in first)


async def test_ambiguous_creates_commit_then_lose_the_answer() -> None:
    async with platform_api(ambiguous_rate=1.0, seed=3) as (api, platform):
        outcomes = set()
        ds_body = {"name": "x", "schemaRef": {"id": "s"}}
        for _ in range(12):
            try:
                resp = await api.call("POST", DATASETS, json=ds_body)
            except ConnectionDropped:
                outcomes.add("dropped")
            else:
                outcomes.add(str(resp.status_code))
                assert resp.json()["error_code"].startswith(str(resp.status_code))
        assert outcomes == {"502", "504", "dropped"}
        listed = (await api.call("GET", DATASETS, params={"limit": 100})).json()
        assert len(listed) == 12 == count(platform, "datasets")
        ds = next(iter(listed))
        for _ in range(3):
            try:
                await api.call(
                    "POST", JOBS, json={"destination": {"datasetId": ds}, "schema": {"name": "s"}}
                )
            except ConnectionDropped:
                pass
        assert len((await api.call("GET", JOBS)).json()["records"]) == 3


async def test_ambiguous_failures_leave_errors_and_reads_alone() -> None:
    async with platform_api(ambiguous_rate=1.0, seed=1) as (api, platform):
        resp = await api.call("POST", DATASETS, json={"name": ""})
        assert resp.status_code == 400
        assert (await api.call("GET", DATASETS)).status_code == 200
        assert count(platform, "datasets") == 0
