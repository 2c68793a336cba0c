"""GET /export/jobs: newest first, cursor paging without gaps, limit clamping, status filter."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aep_reconciler.emulator import EmulatorConfig, ManualClock, create_app
from tests.emulator.emu_support import JOBS, Api

pytestmark = pytest.mark.anyio


async def page(api: Api, **params: Any) -> dict[str, Any]:
    resp = await api.call("GET", JOBS, params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def test_newest_first_with_page_metadata(api: Api, clock: ManualClock) -> None:
    ds = await api.create_dataset()
    ids = []
    for _ in range(3):
        ids.append((await api.create_job(ds))["id"])
        ids.append((await api.create_job(ds))["id"])  # same creationTime: id breaks the tie
        clock.advance(1)
    body = await page(api)
    assert [r["id"] for r in body["records"]] == ids[::-1]
    last = body["records"][-1]
    assert body["page"] == {
        "sortField": "createdTime",
        "sort": "desc",
        "pageOffset": f"{last['creationTime']}_{last['id']}",
        "pageSize": 6,
    }
    assert body["link"] == {"next": ""}
    assert all(r["destination"]["datasetId"] == ds for r in body["records"])
    assert all("dataSetId" not in r["destination"] for r in body["records"])


async def test_cursor_paging_has_no_gap_or_duplicate_while_jobs_are_created(
    api: Api, clock: ManualClock
) -> None:
    ds = await api.create_dataset()
    before = []
    for i in range(23):
        before.append((await api.create_job(ds))["id"])
        if i % 4 == 0:
            clock.advance(1)
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 5}
    while True:
        body = await page(api, **params)
        seen += [r["id"] for r in body["records"]]
        await api.create_job(ds)  # new jobs sort before the cursor: never on a later page
        clock.advance(0.5)
        nxt = body["link"]["next"]
        if not nxt:
            break
        assert nxt.startswith("/export/jobs/?limit=5&offset=")
        params["offset"] = parse_qs(urlsplit(nxt).query)["offset"][0]
        assert params["offset"] == body["page"]["pageOffset"]
    assert seen == sorted(before, reverse=True)


async def test_limit_is_clamped_to_the_max_page_size() -> None:
    clock = ManualClock()
    app = create_app(EmulatorConfig(clock=clock, max_page_size=3))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://aep.test"
    ) as client:
        api = Api(client)
        await api.login()
        ds = await api.create_dataset()
        for _ in range(5):
            await api.create_job(ds)
        body = await page(api, limit=1000)
        assert body["page"]["pageSize"] == 3
        assert body["link"]["next"].startswith("/export/jobs/?limit=3&offset=")
        assert (await page(api))["page"]["pageSize"] == 3


async def test_default_limit_is_100(api: Api) -> None:
    ds = await api.create_dataset()
    for _ in range(101):
        await api.create_job(ds)
    body = await page(api)
    assert body["page"]["pageSize"] == 100
    assert body["link"]["next"]
    rest = await page(api, offset=body["page"]["pageOffset"])
    assert rest["page"]["pageSize"] == 1 and rest["link"]["next"] == ""


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": "yesterday"}, "offset"),
        ({"offset": "123_"}, "offset"),
        ({"offset": "-2"}, "offset"),
        ({"start": "4"}, "start"),
        ({"page": "2"}, "page"),
        ({"sort": "updateTime:asc"}, "sort"),
        ({"status": "CANCELLED"}, "status"),
    ],
)
async def test_bad_list_parameters_are_ups_400(
    api: Api, params: dict[str, str], needle: str
) -> None:
    resp = await api.call("GET", JOBS, params=params)
    assert resp.status_code == 400
    assert needle in resp.json()["errors"]["400"][0]["message"]


async def test_status_filter_sees_materialised_transitions(api: Api, clock: ManualClock) -> None:
    ready, broken = await api.create_dataset(), await api.create_dataset(profile=False)
    done_ok = await api.create_job(ready)
    done_bad = await api.create_job(broken)
    clock.advance(10)
    await api.finished(done_ok["id"])  # its export is written in the background
    running = await api.create_job(ready)
    clock.advance(3)
    queued = await api.create_job(ready)

    async def ids(status: str) -> list[int]:
        return [r["id"] for r in (await page(api, status=status))["records"]]

    assert await ids("SUCCEEDED") == [done_ok["id"]]
    assert await ids("FAILED") == [done_bad["id"]]
    assert await ids("PROCESSING") == [running["id"]]
    assert await ids("NEW") == [queued["id"]]
    assert await ids("NEW,PROCESSING") == [queued["id"], running["id"]]
    clock.advance(2)
    assert await ids("NEW") == []
    body = await page(api, status="SUCCEEDED", limit=1)
    assert body["link"]["next"] == ""


async def test_the_guides_integer_offset_skips_that_many_jobs(api: Api, clock: ManualClock) -> None:
    """Guide "List all export jobs": ``GET /export/jobs?offset=2`` offsets the page by a
    number; the spec's cursor keeps working beside it."""
    ds = await api.create_dataset()
    made = []
    for _ in range(5):
        made.append((await api.create_job(ds))["id"])
        clock.advance(0.001)
    newest_first = made[::-1]
    skipped = await page(api, offset="2", limit=2)
    assert [r["id"] for r in skipped["records"]] == newest_first[2:4]
    cursor = skipped["page"]["pageOffset"]
    assert skipped["link"]["next"].endswith(f"offset={cursor}")
    rest = await page(api, offset=cursor)
    assert [r["id"] for r in rest["records"]] == newest_first[4:]
    assert (await page(api, offset="5"))["records"] == []
