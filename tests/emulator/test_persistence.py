"""SQLite persistence: a file survives a restart (data and tokens); the seed writes real rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from aep_reconciler.emulator import EmulatorConfig, ManualClock, create_app
from aep_reconciler.emulator.seed import seed_database
from tests.emulator.emu_support import DATASETS, JOBS, Api

pytestmark = pytest.mark.anyio


def client_for(db: Path, clock: ManualClock) -> httpx.AsyncClient:
    app = create_app(EmulatorConfig(db_path=str(db), clock=clock))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aep.test")


async def test_everything_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "platform.db"
    clock = ManualClock()
    async with client_for(db, clock) as client:
        api = Api(client)
        await api.login()
        ds = await api.create_dataset("kept", tags={"owner": ["me"]})
        job = await api.create_job(ds)
        deleted = await api.create_job(ds)
        await api.call("DELETE", f"{JOBS}/{deleted['id']}")
    clock.advance(30)
    async with client_for(db, clock) as client:
        api2 = Api(client)
        api2.token = api.token  # a token issued before the restart is still valid
        listed = (await api2.call("GET", DATASETS, params={"tags": "owner:me"})).json()
        assert list(listed) == [ds] and listed[ds]["name"] == "kept"
        # The job fell due while no platform ran: this one exports it as it starts.
        assert (await api2.finished(job["id"]))["status"] == "SUCCEEDED"
        records = (await api2.call("GET", JOBS)).json()["records"]
        # The cancelled job is still listed "marked for cancelling" (cancel=linger, 60 s).
        assert [r["id"] for r in records] == [deleted["id"], job["id"]]
        clock.advance(31)
        records = (await api2.call("GET", JOBS)).json()["records"]
        assert [r["id"] for r in records] == [job["id"]]
        assert records[0]["status"] == "SUCCEEDED"
        newer = await api2.create_job(ds)
        assert newer["id"] > deleted["id"]


async def test_seeded_database_is_served(tmp_path: Path) -> None:
    db = tmp_path / "seeded.db"
    now = 1_800_000_000_000
    summary = seed_database(str(db), datasets=30, jobs=400, sandbox="Stage", now_ms=now)
    assert (summary.datasets, summary.jobs) == (30, 400)
    assert set(summary.statuses) == {"NEW", "PROCESSING", "SUCCEEDED", "FAILED"}
    assert sum(summary.statuses.values()) == 400
    clock = ManualClock(start_ms=now)
    async with client_for(db, clock) as client:
        api = Api(client)
        await api.login()
        datasets: dict[str, Any] = {}
        for start in (0, 20):  # Catalog's pages hold at most 20 (catalog-page-cap=20)
            page = {"limit": 100, "start": start}
            datasets |= (await api.call("GET", DATASETS, sandbox="stage", params=page)).json()
        assert len(datasets) == 30
        assert any(d["tags"].get("unifiedProfile") for d in datasets.values())
        assert all(d["classification"]["dataBehavior"] == "record" for d in datasets.values())
        seen: dict[str, int] = {}
        params: dict[str, str] = {}
        while True:
            body = (await api.call("GET", JOBS, sandbox="stage", params=params)).json()
            for record in body["records"]:
                assert record["destination"]["datasetId"] in datasets
                seen[record["status"]] = seen.get(record["status"], 0) + 1
            if not body["link"]["next"]:
                break
            params = {"offset": body["page"]["pageOffset"]}
        assert seen == dict(summary.statuses)
        assert (await api.call("GET", JOBS)).json()["records"] == []  # prod is another tenant


def test_seed_rejects_jobs_without_datasets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dataset"):
        seed_database(str(tmp_path / "x.db"), datasets=0, jobs=5)
