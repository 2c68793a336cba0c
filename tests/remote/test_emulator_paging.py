"""Complete paging of both lists against the embedded platform: exact, minimal, and stable."""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aep_reconciler.emulator import Variants
from aep_reconciler.emulator.seed import seed_database
from aep_reconciler.remote import AepClient

from .conftest import ORG, START_MS, Emulator, Recorder, dataset_body, job_body, make_emulator
from .fakes import run, using

TENANT = f"{ORG}/prod"
LIST_DATASETS = ("GET", "/data/foundation/catalog/dataSets")
LIST_JOBS = ("GET", "/data/core/ups/export/jobs")
N = 10_000
SMALL = 1_000


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("platform") / "platform.db"
    seed_database(str(path), datasets=N, jobs=N, now_ms=START_MS, seed=3)
    return path


@pytest.fixture
def seeded_db(template_db: Path, tmp_path: Path) -> Path:
    """A private copy of the 10,000 + 10,000 platform, so no test sees another's writes."""
    return Path(shutil.copy(template_db, tmp_path / "platform.db"))


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "small.db"
    seed_database(str(path), datasets=SMALL, jobs=SMALL, now_ms=START_MS, seed=5)
    return path


def _emulator(db: Path) -> Iterator[Emulator]:
    emu = make_emulator(db_path=str(db))
    yield emu
    emu.app.state.platform.close()


@pytest.fixture
def seeded(seeded_db: Path) -> Iterator[Emulator]:
    yield from _emulator(seeded_db)


@pytest.fixture
def small(small_db: Path) -> Iterator[Emulator]:
    yield from _emulator(small_db)


def _ids(db: Path, table: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(f"SELECT id FROM {table} WHERE tenant = ?", (TENANT,)).fetchall()
    return [str(r[0]) for r in rows]


def minimum_dataset_requests(n: int, limit: int) -> int:
    """Every page the platform fills, then the empty one that ends the list (a short page
    never does: Catalog may cap a page below ``limit``)."""
    return math.ceil(n / limit) + 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cap", "pages"),
    [
        ("20", 500),  # the default: FCD's 20 per page for service tokens
        ("100", 100),  # catalog.yaml's maximum, honoured without observableSchema
    ],
)
def test_ten_thousand_datasets_in_the_minimum_requests(
    seeded_db: Path, cap: str, pages: int
) -> None:
    """The client asks for 100 a page; it reads every page the platform fills, then the
    empty one that ends the list, whatever the platform's cap."""
    emu = make_emulator(
        db_path=str(seeded_db), variants=Variants.parse([f"catalog-page-cap={cap}"])
    )
    c = emu.client()
    found = run(using(c, lambda c: c.list_datasets(properties=["name", "tags"])))
    emu.app.state.platform.close()
    assert sorted(found) == sorted(_ids(seeded_db, "datasets"))
    assert all(set(d) <= {"name", "tags"} and d["name"] for d in found.values())
    expected = minimum_dataset_requests(N, int(cap))
    assert expected == pages + 1  # every full page, then the empty one
    assert c.stats.by_call["GET /dataSets"] == expected
    assert emu.served(*LIST_DATASETS) == expected
    assert c.stats.retries == 0


@pytest.mark.slow
def test_ten_thousand_jobs_in_the_minimum_requests(seeded: Emulator, seeded_db: Path) -> None:
    c = seeded.client()
    jobs = run(using(c, lambda c: c.list_export_jobs(page_size=100)))
    ids = [str(j["id"]) for j in jobs]
    assert len(ids) == len(set(ids)) == N
    assert set(ids) == set(_ids(seeded_db, "jobs"))
    times = [j["creationTime"] for j in jobs]
    assert times == sorted(times, reverse=True)
    assert all(j["destination"]["datasetId"] for j in jobs)
    assert c.stats.by_call["GET /export/jobs"] == math.ceil(N / 100)
    assert seeded.served(*LIST_JOBS) == math.ceil(N / 100)


@pytest.mark.parametrize(("count", "page_size"), [(0, 5), (4, 5), (5, 5), (11, 5), (12, 4)])
def test_dataset_request_count_is_minimal(emulator: Emulator, count: int, page_size: int) -> None:
    async def scenario(c: AepClient) -> dict[str, object]:
        for i in range(count):
            await c.create_dataset(dataset_body(f"d{i}"))
        return dict(await c.list_datasets(page_size=page_size))

    c = emulator.client()
    assert len(run(using(c, scenario))) == count
    assert c.stats.by_call["GET /dataSets"] == minimum_dataset_requests(count, page_size)


def test_job_pages_stream_one_page_at_a_time(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> list[int]:
        dataset_id = await c.create_dataset(dataset_body("profiles"))
        for _ in range(7):
            await c.create_export_job(job_body(dataset_id))
            emulator.clock.advance(0.001)
        sizes = []
        async for page in c.iter_export_job_pages(page_size=3):
            sizes.append(len(page))
            assert c.stats.by_call["GET /export/jobs"] == len(sizes)  # read lazily
        return sizes

    c = emulator.client()
    assert run(using(c, scenario)) == [3, 3, 1]


def _crm_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT DISTINCT dataset_id FROM dataset_tags WHERE tenant = ? AND key = 'team'"
            " AND value = 'crm'",
            (TENANT,),
        ).fetchall()
    return {str(r[0]) for r in rows}


def test_no_gap_or_duplicate_while_datasets_are_created(small: Emulator, small_db: Path) -> None:
    creator = small.client()
    created: list[str] = []
    creating = 8  # datasets created by someone else, one after each of the first pages

    async def create_between_pages(request: httpx.Request, response: httpx.Response) -> None:
        if request.method == "GET" and request.url.path.endswith("/dataSets"):
            if len(created) < creating:
                small.clock.advance(0.001)
                body = dataset_body(f"new{len(created)}", tags={"team": ["crm"]})
                created.append(await creator.create_dataset(body))

    reader = small.client(transport=Recorder(small.app, after=create_between_pages))
    before = _crm_ids(small_db)

    async def scenario(c: AepClient) -> dict[str, dict[str, object]]:
        async with creator:
            return await c.list_datasets(properties=["name"], tags={"team": "crm"}, page_size=20)

    found = run(using(reader, scenario))
    pages = reader.stats.by_call["GET /dataSets"]
    assert pages > creating and len(created) == creating
    # every dataset that existed is read once, and those created meanwhile land after them:
    # the list is read until a page comes back empty, so it holds them all
    assert set(found) == before | set(created) == _crm_ids(small_db)


def test_no_gap_or_duplicate_while_jobs_are_created(small: Emulator, small_db: Path) -> None:
    creator = small.client()
    target: list[str] = []

    async def create_between_pages(request: httpx.Request, response: httpx.Response) -> None:
        if request.method == "GET" and request.url.path.endswith("/export/jobs"):
            if not target:
                target.append(await creator.create_dataset(dataset_body("profiles")))
            small.clock.advance(0.001)
            for _ in range(3):
                await creator.create_export_job(job_body(target[0]))

    reader = small.client(transport=Recorder(small.app, after=create_between_pages))
    before = set(_ids(small_db, "jobs"))

    async def scenario(c: AepClient) -> list[dict[str, object]]:
        async with creator:
            return await c.list_export_jobs(page_size=100)

    jobs = run(using(reader, scenario))
    ids = [str(j["id"]) for j in jobs]
    assert len(ids) == len(set(ids))
    pages = reader.stats.by_call["GET /export/jobs"]
    assert pages == math.ceil(SMALL / 100)
    # newer jobs sort before the cursor: the listing is exactly the jobs that existed at start
    assert set(ids) == before
    assert len(_ids(small_db, "jobs")) == SMALL + 3 * pages


def test_hundreds_of_audiences_and_merge_policies_are_read_whole_page_by_page(
    small: Emulator,
) -> None:
    """plan checks references against every audience and policy of the sandbox; past a page
    (100) the client follows the next links the platform's answers carry."""
    from aep_reconciler.emulator.merge_policies import MergePolicyStore, default_policy
    from aep_reconciler.emulator.profiles.store import StoreSize

    platform = small.app.state.platform
    platform.profiles.seed(TENANT, StoreSize(20, 1, 250, seed=3))
    with platform.db.transaction() as conn:
        for k in range(229):  # besides the default one and the seed's
            policy = {**default_policy(TENANT, START_MS), "id": f"policy-{k:03}", "default": False}
            MergePolicyStore.add(conn, TENANT, policy)
    c = small.client()
    audiences = run(using(c, lambda c: c.list_segment_definitions()))
    d = small.client()
    policies = run(using(d, lambda d: d.list_merge_policies()))
    assert len({a["id"] for a in audiences}) == len(audiences) == platform.audiences.count(TENANT)
    assert len(audiences) >= 250
    stored = platform.merge_policies.all(TENANT, START_MS)
    assert len({p["id"] for p in policies}) == len(policies) == len(stored) > 230
    assert c.stats.by_call["GET /segment/definitions"] == math.ceil(len(audiences) / 100)
    assert d.stats.by_call["GET /config/mergePolicies"] == math.ceil(len(policies) / 100)
