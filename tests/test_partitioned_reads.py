"""Reading the job list as several adjacent cursor ranges at once: same jobs, once each."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from aep_reconciler.emulator import EmulatorConfig, create_app
from aep_reconciler.emulator.seed import seed_database
from aep_reconciler.live import LiveState, observe, split_points
from aep_reconciler.remote import AepClient
from aep_reconciler.remote import _cursors as cursor_cache
from aep_reconciler.remote.embedded import embedded_connection
from tests.test_planner import STACK


def _client(db: Path) -> AepClient:
    app = create_app(EmulatorConfig(db_path=str(db)))
    return AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app))


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("estate") / "p.db"
    seed_database(str(db), datasets=20, jobs=2_345)
    return db


def _all_ids(state: LiveState) -> list[str]:
    return sorted(j.id for j in state.jobs)


def read(db: Path, partitions: list[str], extra: set[str]) -> tuple[LiveState, int]:
    async def scenario() -> tuple[LiveState, int]:
        async with _client(db) as client:
            state = await observe(client, STACK, extra, partitions=partitions)
            return state, client.stats.by_call["GET /export/jobs"]

    return asyncio.run(scenario())


def test_ranges_read_at_once_see_every_job_exactly_once(estate: Path) -> None:
    async def datasets() -> set[str]:
        async with _client(estate) as client:
            return set(await client.list_datasets())

    everything = asyncio.run(datasets())  # every job counts as in scope
    plain, plain_pages = read(estate, [], everything)
    assert plain.jobs_seen == 2_345 and plain_pages == 24
    bounds = split_points(plain.job_cursors, 4)
    assert len(bounds) == 3
    parallel, pages = read(estate, bounds, everything)
    assert parallel.jobs_seen == 2_345
    assert _all_ids(parallel) == _all_ids(plain)
    assert [j.id for j in parallel.jobs] == [j.id for j in plain.jobs]  # same order after sort
    assert pages <= plain_pages + len(bounds)  # at most one extra page per cut


def test_a_stale_cut_still_reads_everything(estate: Path) -> None:
    everything_into = {f"{'0' * 24}"}
    plain, _ = read(estate, [], everything_into)
    # cursors of jobs that do not exist (deleted since, or never): ranges still cover all
    bounds = ["1999999999999_99999999", "1700000000000_5", "1000000000000_1"]
    parallel, _ = read(estate, bounds, everything_into)
    assert parallel.jobs_seen == plain.jobs_seen == 2_345


CUT = "1500000000000_7"


class IgnoresUnknownOffsets(httpx.AsyncBaseTransport):
    """A platform that answers the first page for an offset it never handed out."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("offset") == CUT:
            params = {k: v for k, v in request.url.params.items() if k != "offset"}
            url = request.url.copy_with(params=params)
            request = httpx.Request(request.method, url, headers=request.headers)
        return await self.inner.handle_async_request(request)


def test_a_platform_that_does_not_page_that_way_is_read_with_one_cursor(estate: Path) -> None:
    async def scenario() -> LiveState:
        app = create_app(EmulatorConfig(db_path=str(estate)))
        transport = IgnoresUnknownOffsets(httpx.ASGITransport(app=app))
        async with AepClient(embedded_connection(), transport=transport) as client:
            return await observe(client, STACK, partitions=[CUT])

    state = asyncio.run(scenario())
    assert state.jobs_seen == 2_345  # noticed, and read again through one cursor


def test_split_points_cut_equal_page_counts() -> None:
    cursors = [f"{1000 - i}_{i}" for i in range(40)]
    assert split_points(cursors, 4) == [cursors[10], cursors[20], cursors[30]]
    assert split_points(cursors[:7], 4) == []  # too short to be worth it
    assert split_points(cursors, 1) == []


def test_the_cursor_cache_is_a_hint_that_never_fails(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "job-cursors.json"
    assert cursor_cache.load("org/prod", path) == []
    cursor_cache.save("org/prod", ["2_1", "1_1"], path)
    cursor_cache.save("org/dev", ["3_3"], path)
    assert cursor_cache.load("org/prod", path) == ["2_1", "1_1"]
    path.write_text("{not json")
    assert cursor_cache.load("org/prod", path) == []
    blocked: Any = tmp_path / "file"
    blocked.write_text("")
    cursor_cache.save("org/prod", ["1_1"], blocked / "x.json")  # cannot be written: skipped
