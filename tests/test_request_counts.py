"""Request counts (never times) of the techniques that make a plan cheap (issue 7).

Against the embedded platform in process: owned datasets are listed with the stack's tag
filter and a projection, so foreign datasets cost nothing; export jobs cost one request per
full page; a plan reads list endpoints only, never one object at a time.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from starlette.applications import Starlette

from aep_reconciler.applier import Applier
from aep_reconciler.emulator import EmulatorConfig, Variants, create_app
from aep_reconciler.emulator.seed import seed_database
from aep_reconciler.live import DATASET_PROPERTIES, observe
from aep_reconciler.ownership import STACK_TAG
from aep_reconciler.pipeline import load_context, plan_for
from aep_reconciler.plan import PlanOptions
from aep_reconciler.remote import AepClient, Connection
from aep_reconciler.render.plan import observed_line

STACK = "counts"
PAGE = 100  # what the client asks for
# What Catalog serves: at most 20 a page (FCD: with observableSchema, which the plan's
# projection names, and for service tokens; catalog-page-cap=20, the default).
SERVED = 20
CONN = Connection(
    platform_url="http://emulator",
    ims_url="http://emulator",
    org_id="embedded@AdobeOrg",
    client_id="reconciler-embedded",
    client_secret="embedded-secret",
)
PROFILE = {
    "id": "https://ns.adobe.com/xdm/context/profile__union",
    "contentType": "application/vnd.adobe.xed+json;version=1",
}


class Recording(httpx.AsyncBaseTransport):
    """The app through ASGITransport, keeping every request it carried."""

    def __init__(self, app: Starlette) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._inner.handle_async_request(request)

    def calls(self) -> Counter[str]:
        return Counter(f"{r.method} {r.url.path}" for r in self.requests)


def _app(db: Path) -> Iterator[Starlette]:
    app = create_app(EmulatorConfig(db_path=str(db)))
    yield app
    app.state.platform.close()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _create_owned(app: Starlette, count: int) -> None:
    async with AepClient(CONN, transport=httpx.ASGITransport(app=app)) as client:
        for n in range(count):
            tags = {STACK_TAG: [STACK], "reconciler-name": [f"ds-{n}"]}
            await client.create_dataset({"name": f"owned {n}", "schemaRef": PROFILE, "tags": tags})


async def _observe(app: Starlette) -> tuple[Any, Recording]:
    transport = Recording(app)
    async with AepClient(CONN, transport=transport) as client:
        state = await observe(client, STACK)
    return state, transport


@pytest.fixture(scope="module")
def foreign_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 foreign datasets (seeded, none of them ours) and no jobs."""
    db = tmp_path_factory.mktemp("counts") / "foreign.db"
    seed_database(str(db), datasets=1_000, jobs=0)
    return db


@pytest.mark.parametrize("owned", [0, 1, 100, 150])
def test_owned_datasets_cost_a_page_each_plus_one_whatever_the_foreign_ones(
    foreign_db: Path, tmp_path: Path, owned: int
) -> None:
    db = tmp_path / "platform.db"
    db.write_bytes(foreign_db.read_bytes())
    for app in _app(db):
        _run(_create_owned(app, owned))
        state, transport = _run(_observe(app))
    assert len(state.datasets) == owned
    lists = [r for r in transport.requests if r.url.path.endswith("/dataSets")]
    # ceil(owned / 20) pages, then the empty page that ends the list (a short page may not)
    assert len(lists) == math.ceil(owned / SERVED) + 1
    for request in lists:
        query = parse_qs(request.url.query.decode())
        assert query["tags"] == [f"{STACK_TAG}:{STACK}"]
        assert query["properties"] == [",".join(DATASET_PROPERTIES)]
        assert query["limit"] == [str(PAGE)]


@pytest.mark.parametrize("jobs", [0, 99, 250, 300])
def test_job_paging_costs_one_request_per_page(tmp_path: Path, jobs: int) -> None:
    db = tmp_path / "platform.db"
    seed_database(str(db), datasets=5, jobs=jobs)
    for app in _app(db):
        state, transport = _run(_observe(app))
    assert state.jobs_seen == jobs
    pages = transport.calls()["GET /data/core/ups/export/jobs"]
    assert pages == max(1, math.ceil(jobs / PAGE))  # link.next is empty on a full last page


def _write_project(root: Path, datasets: int) -> None:
    (root / "datasets").mkdir(parents=True)
    (root / "export-jobs").mkdir()
    (root / "reconciler.yaml").write_text(f"stack: {STACK}\n")
    for n in range(datasets):
        (root / "datasets" / f"ds-{n}.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Dataset\n"
            f"metadata:\n  name: ds-{n}\n"
            f"spec:\n  name: Dataset {n}\n  schemaRef:\n    id: {PROFILE['id']}\n"
            f"    contentType: {PROFILE['contentType']}\n"
            "  fileDescription:\n    persisted: true\n    format: parquet\n"
        )
        (root / "export-jobs" / f"job-{n}.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: ExportJob\n"
            f"metadata:\n  name: job-{n}\n"
            "spec:\n  filter:\n    segments:\n      - segmentName: VIP customers\n"
            f"  destination:\n    dataset: ds-{n}\n  schema:\n    name: _xdm.context.profile\n"
        )


def _env() -> dict[str, str]:
    """The environment that points a context at the in-process platform."""
    env = {"AEP_PLATFORM_URL": "http://emulator", "AEP_IMS_URL": "http://emulator"}
    env |= {"AEP_ORG_ID": CONN.org_id, "AEP_CLIENT_ID": CONN.client_id}
    env["AEP_CLIENT_SECRET"] = CONN.client_secret
    return env


def test_a_plan_reads_list_endpoints_only(tmp_path: Path) -> None:
    """Apply 120 datasets and 120 jobs next to 250 foreign jobs, then plan: no per-object GET."""
    db = tmp_path / "platform.db"
    seed_database(str(db), datasets=20, jobs=250)
    _write_project(tmp_path / "specs", 120)
    ctx = load_context(str(tmp_path / "specs"), None, _env())

    async def plan_apply_plan(app: Starlette) -> tuple[Any, Recording]:
        async with AepClient(CONN, transport=httpx.ASGITransport(app=app)) as client:
            first = await plan_for(ctx, client, PlanOptions())
            await Applier(client, parallelism=8).apply(first)
        transport = Recording(app)
        async with AepClient(CONN, transport=transport) as client:
            return await plan_for(ctx, client, PlanOptions()), transport

    for app in _app(db):
        plan, transport = _run(plan_apply_plan(app))
    assert not plan.has_changes
    assert plan.observation.datasets == 120
    assert plan.observation.export_jobs == 370
    assert transport.calls() == {
        "POST /ims/token/v3": 1,
        "GET /data/core/ups/segment/definitions": 1,  # every segmentName checked in one list
        "GET /data/foundation/catalog/dataSets": 7,  # 120 owned: six pages, then an empty one
        "GET /data/core/ups/export/jobs": 4,  # 370 jobs: ceil(370 / 100)
    }
    assert plan.observation.requests == len(transport.requests)


def test_creates_look_for_lookalikes_in_one_request_per_hundred(tmp_path: Path) -> None:
    """120 datasets to create: their display names are looked up in 2 requests, not 120."""
    db = tmp_path / "platform.db"
    seed_database(str(db), datasets=20, jobs=0)
    _write_project(tmp_path / "specs", 120)
    ctx = load_context(str(tmp_path / "specs"), None, _env())

    async def first_plan(app: Starlette) -> tuple[Any, Recording]:
        transport = Recording(app)
        async with AepClient(CONN, transport=transport) as client:
            return await plan_for(ctx, client, PlanOptions()), transport

    for app in _app(db):
        plan, transport = _run(first_plan(app))
    assert len([c for c in plan.changes if c.kind == "Dataset"]) == 120
    lookups = [r for r in transport.requests if "name" in parse_qs(r.url.query.decode())]
    assert len(lookups) == 2
    # ours, the names (100 a request), then the stack's record on its lock dataset
    assert transport.calls()["GET /data/foundation/catalog/dataSets"] == 4
    assert plan.observation.requests == len(transport.requests)


def test_fifty_datasets_under_the_twenty_dataset_page_cap_are_all_planned(tmp_path: Path) -> None:
    """Catalog holds every page to 20 datasets (catalog-page-cap=20, the Adobe default):
    the plan still sees all 50, reading until the empty page; it prints what that cost."""
    _write_project(tmp_path / "specs", 50)
    ctx = load_context(str(tmp_path / "specs"), None, _env())
    config = EmulatorConfig(
        db_path=str(tmp_path / "platform.db"), variants=Variants.parse(["catalog-page-cap=20"])
    )

    async def plan_apply_plan(app: Starlette) -> tuple[Any, Recording]:
        async with AepClient(CONN, transport=httpx.ASGITransport(app=app)) as client:
            await Applier(client, parallelism=8).apply(await plan_for(ctx, client, PlanOptions()))
        transport = Recording(app)
        async with AepClient(CONN, transport=transport) as client:
            return await plan_for(ctx, client, PlanOptions()), transport

    app = create_app(config)
    try:
        plan, transport = _run(plan_apply_plan(app))
    finally:
        app.state.platform.close()
    line = observed_line(plan)
    print(line)  # observed 50 datasets and 50 export jobs in 7 requests (…)
    assert plan.observation.datasets == 50 and not plan.has_changes  # none created again
    pages = transport.calls()["GET /data/foundation/catalog/dataSets"]
    assert pages == 4  # 20 + 20 + 10, then the empty page that ends the list
    # token, the audiences the jobs name, 4 dataset pages, 1 job page
    assert plan.observation.requests == len(transport.requests) == 7
    assert line.startswith("observed 50 datasets and 50 export jobs in 7 requests")
