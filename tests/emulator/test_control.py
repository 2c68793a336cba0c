"""The emulator's own routes: health and moving a manual clock over HTTP."""

from __future__ import annotations

import httpx
import pytest

from aep_reconciler.emulator import EmulatorConfig, ManualClock, SystemClock, create_app
from tests.emulator.emu_support import DATASETS, JOBS, Api

pytestmark = pytest.mark.anyio


async def test_clock_route_drives_the_lifecycle(api: Api, clock: ManualClock) -> None:
    job = await api.create_job(await api.create_dataset())
    resp = await api.client.post("/_emulator/clock", json={"advanceSeconds": 2.5})
    assert resp.json() == {"nowMs": clock.now_ms()} == {"nowMs": job["creationTime"] + 2500}
    assert (await api.call("GET", f"{JOBS}/{job['id']}")).json()["status"] == "PROCESSING"
    health = await api.client.get("/_emulator/health")
    assert health.json() == {"status": "ok", "nowMs": clock.now_ms()}


@pytest.mark.parametrize("body", [{}, {"advanceSeconds": "soon"}, {"advanceSeconds": -1}])
async def test_clock_route_rejects_bad_bodies(api: Api, body: object) -> None:
    resp = await api.client.post("/_emulator/clock", json=body)
    assert resp.status_code == 400


async def test_clock_route_refuses_the_system_clock() -> None:
    app = create_app(EmulatorConfig(clock=SystemClock()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://aep.test"
    ) as client:
        resp = await client.post("/_emulator/clock", json={"advanceSeconds": 1})
        assert resp.status_code == 409


async def test_reset_empties_the_platform_and_state_shows_what_it_holds(api: Api) -> None:
    """The hooks test suites use between tests: a dump, then an empty platform."""
    dataset_id = await api.create_dataset()
    job = await api.create_job(dataset_id)
    state = (await api.client.get("/_emulator/state")).json()
    tenant = state["tenants"]["embedded@AdobeOrg/prod"]
    assert list(tenant["datasets"]) == [dataset_id]
    assert [(j["id"], j["datasetId"]) for j in tenant["jobs"]] == [(job["id"], dataset_id)]

    reset = await api.client.post("/_emulator/reset")
    assert reset.json() == {"removed": {"datasets": 1, "jobs": 1}}
    assert (await api.client.get("/_emulator/state")).json()["tenants"] == {}
    listed = await api.call("GET", DATASETS)
    assert listed.status_code == 200 and listed.json() == {}  # the same token still works
