"""What a finished export leaves behind: Catalog batches, the Data Access API, exactly once."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from starlette.applications import Starlette

from aep_reconciler.emulator import EmulatorConfig, ManualClock, create_app
from aep_reconciler.emulator.platform import Platform
from tests.emulator.emu_support import DATASETS, JOBS, Api
from tests.emulator.exports_support import EXPORT, audiences, batch_ids, export

pytestmark = pytest.mark.anyio
BATCHES = "/data/foundation/catalog/batches"


@pytest.fixture
def config(clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(clock=clock, job_start_after=0, job_run_for=0)


async def test_catalog_records_each_batch_and_the_dataset_its_last(api: Api) -> None:
    dataset = await api.create_dataset()
    names = await audiences(api)
    segments = [{"segmentId": names["VIP customers"]}, {"segmentId": names["Cart abandoners"]}]
    job, rows = await export(
        api,
        dataset,
        filter={"segments": segments},
        destination={"datasetId": dataset, "segmentPerBatch": True},
    )
    ids = batch_ids(job)
    for batch_id, batch_rows in zip(ids, rows, strict=True):
        answer = (await api.call("GET", f"{BATCHES}/{batch_id}")).json()
        batch = answer[batch_id]
        assert batch["status"] == "success"
        assert batch["metrics"]["recordsWritten"] == len(batch_rows)
        assert {"type": "dataSet", "id": dataset} in batch["relatedObjects"]
    listed = (await api.call("GET", BATCHES, params={"dataSet": dataset})).json()
    assert sorted(listed) == sorted(ids)
    latest = (await api.call("GET", f"{DATASETS}/{dataset}")).json()[dataset]
    assert latest["lastBatchId"] in ids and latest["lastBatchStatus"] == "success"
    missing = await api.call("GET", f"{BATCHES}/no-such-batch")
    assert missing.status_code == 404


async def test_files_are_listed_served_whole_and_by_range(api: Api) -> None:
    dataset = await api.create_dataset()
    job, _ = await export(api, dataset, fields="identities,person")
    [batch_id] = batch_ids(job)
    [entry] = (await api.call("GET", f"{EXPORT}/batches/{batch_id}/files")).json()["data"]
    file_id = entry["dataSetFileId"]
    assert entry["_links"]["self"]["href"].endswith(f"{EXPORT}/files/{file_id}")
    [part] = (await api.call("GET", f"{EXPORT}/files/{file_id}")).json()["data"]
    whole = await api.call("GET", f"{EXPORT}/files/{file_id}", params={"path": part["name"]})
    assert whole.status_code == 200 and len(whole.content) == int(part["length"])
    assert (
        pq.read_table(io.BytesIO(whole.content)).num_rows
        == job["metrics"]["totalExportedProfileCounter"]
    )
    ranged = await api.call(
        "GET",
        f"{EXPORT}/files/{file_id}",
        params={"path": part["name"]},
        headers={"Range": "bytes=0-99"},
    )
    assert ranged.status_code == 206 and ranged.content == whole.content[:100]
    assert ranged.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
    nope = await api.call("GET", f"{EXPORT}/files/{file_id}", params={"path": "../etc/passwd"})
    assert nope.status_code == 404


async def test_preview_shows_the_first_rows_of_the_latest_batch(api: Api) -> None:
    dataset = await api.create_dataset()
    empty = (await api.call("GET", f"{EXPORT}/datasets/{dataset}/preview")).json()
    assert empty == {"data": []}
    await export(api, dataset, fields="personalEmail")
    rows = (await api.call("GET", f"{EXPORT}/datasets/{dataset}/preview")).json()["data"]
    assert len(rows) == 100 and all(set(r) == {"personalEmail"} for r in rows)


async def test_preview_reads_the_batch_catalog_names_as_the_datasets_last(api: Api) -> None:
    """With a batch per segment every batch starts at once: the preview must still show the
    rows of the one ``lastBatchId`` names, so a client can tell whose rows they are."""
    dataset = await api.create_dataset()
    names = await audiences(api)
    segments = [{"segmentId": names["VIP customers"]}, {"segmentId": names["Cart abandoners"]}]
    job, rows = await export(
        api,
        dataset,
        fields="personalEmail",
        filter={"segments": segments},
        destination={"datasetId": dataset, "segmentPerBatch": True},
    )
    ids = batch_ids(job)
    last = (await api.call("GET", f"{DATASETS}/{dataset}")).json()[dataset]["lastBatchId"]
    shown = (await api.call("GET", f"{EXPORT}/datasets/{dataset}/preview")).json()["data"]
    assert shown == rows[ids.index(last)][:100] and shown


async def test_a_job_naming_an_unknown_audience_fails_with_an_error(api: Api) -> None:
    dataset = await api.create_dataset()
    job, rows = await export(api, dataset, filter={"segments": [{"segmentId": "no-such"}]})
    assert job["status"] == "FAILED" and rows == []
    assert "no-such" in job["errors"][0]["msg"] and job["errors"][0]["code"]
    unknown_policy, _ = await export(api, dataset, mergePolicy={"id": "no-such-policy"})
    assert unknown_policy["status"] == "FAILED"
    assert "no-such-policy" in unknown_policy["errors"][0]["msg"]


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://aep.test")


def _count(platform: Platform, sql: str) -> Any:
    return platform.db.conn.execute(sql).fetchone()[0]


async def test_two_platforms_on_one_database_export_a_job_once(tmp_path: Path) -> None:
    clock = ManualClock()
    config = EmulatorConfig(db_path=str(tmp_path / "p.db"), clock=clock, job_start_after=1)
    first, second = create_app(config), create_app(config)
    async with _client(first) as a, _client(second) as b:
        api_a, api_b = Api(a), Api(b)
        api_b.token = await api_a.login()
        dataset = await api_a.create_dataset()
        job = await api_a.create_job(dataset)
        clock.advance(60)
        done_a = await api_a.finished(job["id"])
        done_b = await api_b.finished(job["id"])
    assert done_a["status"] == done_b["status"] == "SUCCEEDED"
    assert done_a["metrics"] == done_b["metrics"]
    platform: Platform = first.state.platform
    assert _count(platform, "SELECT count(*) FROM batches") == 1
    assert _count(platform, "SELECT count(*) FROM export_runs") == 0
    first.state.platform.close()
    second.state.platform.close()


async def test_an_export_claimed_by_a_process_that_died_runs_again(tmp_path: Path) -> None:
    clock = ManualClock()
    config = EmulatorConfig(db_path=str(tmp_path / "p.db"), clock=clock, job_start_after=0)
    app = create_app(config)
    async with _client(app) as client:
        api = Api(client)
        await api.login()
        dataset = await api.create_dataset()
        job = await api.create_job(dataset)
        platform: Platform = app.state.platform
        # a process on this machine that exited while it held the claim
        dead = f"{os.uname().nodename}:{2**22 + 12345}:gone"
        platform.db.conn.execute("UPDATE export_runs SET owner = ?, lease_ms = ?", (dead, 2**62))
        clock.advance(10)
        assert (await api.finished(job["id"]))["status"] == "SUCCEEDED"
        assert _count(platform, "SELECT count(*) FROM batches") == 1
    app.state.platform.close()


async def test_an_unknown_job_batch_or_file_is_404(api: Api) -> None:
    for path in (f"{EXPORT}/batches/nope/files", f"{EXPORT}/files/nope", f"{JOBS}/999"):
        assert (await api.call("GET", path)).status_code == 404
