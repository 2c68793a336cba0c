"""The applier against the in-process embedded platform: order, isolation, parallelism."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from aep_reconciler.applier import Applier, Outcome
from aep_reconciler.diagnostics import TransportError
from aep_reconciler.emulator import EmulatorConfig, Variants, create_app
from aep_reconciler.inventory import Entry, job_tag
from aep_reconciler.live import observe
from aep_reconciler.ownership import STACK_TAG
from aep_reconciler.plan import Action, Change, Observation, Plan
from aep_reconciler.planner import make_plan
from aep_reconciler.remote import AepClient
from aep_reconciler.remote.embedded import embedded_connection
from aep_reconciler.resources import ResourceKey
from tests.test_planner import STACK, dataset, job, manifests


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _plan(client: AepClient, ms: Any) -> Plan:
    live = await observe(client, STACK)
    return make_plan(ms, live, stack=STACK, target="t")


def test_apply_creates_in_order_and_converges() -> None:
    async def scenario() -> None:
        app = create_app(EmulatorConfig(db_path=":memory:"))
        transport = httpx.ASGITransport(app=app)
        async with AepClient(embedded_connection(), transport=transport) as client:
            ms = manifests(dataset(), job("a"), job("b", fields="identities.id"))
            result = await Applier(client).apply(await _plan(client, ms))
            assert [e.outcome for e in result.failed] == []
            assert len(result.created_jobs) == 2
            (ds_id, ds), *_ = (await client.list_datasets()).items()
            assert ds["tags"][STACK_TAG] == [STACK]
            jobs = await client.list_export_jobs()
            # each job is recorded by id under its manifest's name, the intent resolved
            for name in ("a", "b"):
                (entry,) = [Entry.parse(v) for v in ds["tags"][job_tag(name)]]
                assert entry is not None and entry.job_id in result.created_jobs
            assert {j["destination"]["datasetId"] for j in jobs} == {ds_id}
            again = await _plan(client, ms)
            assert not again.has_changes

    run(scenario())


@pytest.mark.parametrize("tags_patch", ["replace", "merge"])
def test_a_dropped_tag_is_removed_whatever_a_field_patch_of_tags_does(tags_patch: str) -> None:
    async def scenario() -> None:
        variants = Variants.parse([f"tags-patch={tags_patch}"])
        app = create_app(EmulatorConfig(db_path=":memory:", variants=variants))
        transport = httpx.ASGITransport(app=app)
        async with AepClient(embedded_connection(), transport=transport) as client:
            before = manifests(dataset(tags={"team": ["a"], "tier": ["gold"]}), job("a"))
            await Applier(client).apply(await _plan(client, before))
            after = manifests(dataset(tags={"team": ["b"]}), job("a"))
            update = await _plan(client, after)
            assert [c.action for c in update.actionable] == [Action.UPDATE]
            result = await Applier(client).apply(update)
            assert not result.failed
            ((_, ds),) = (await client.list_datasets()).items()
            assert ds["tags"]["team"] == ["b"] and "tier" not in ds["tags"]
            assert not (await _plan(client, after)).has_changes

    run(scenario())


def test_failure_skips_only_dependents_and_everything_else_goes_on() -> None:
    async def scenario() -> None:
        app = create_app(EmulatorConfig(db_path=":memory:"))
        async with AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app)) as c:
            no_schema = {"name": "no schema"}
            bad = Change(ResourceKey("Dataset", "bad"), Action.CREATE, "", after=no_schema)
            dependent = Change(
                ResourceKey("ExportJob", "needs-bad"),
                Action.CREATE,
                "",
                after={
                    "destination": {"dataset": "bad"},
                    "schema": {"name": "_xdm.context.profile"},
                },
                depends_on=(ResourceKey("Dataset", "bad"),),
            )
            good_body = dict(dataset("good").body)
            good = Change(ResourceKey("Dataset", "good"), Action.CREATE, "", after=good_body)
            plan = Plan(STACK, "t", (bad, dependent, good))
            result = await Applier(c).apply(plan)
            outcome = {e.change.name: e for e in result.finished()}
            assert outcome["bad"].outcome is Outcome.FAILED
            assert "POST /data/foundation/catalog/dataSets" in outcome["bad"].message
            assert "HTTP 400" in outcome["bad"].message
            assert outcome["needs-bad"].outcome is Outcome.SKIPPED
            assert outcome["good"].outcome is Outcome.SUCCEEDED
            assert len(await c.list_datasets()) == 1

    run(scenario())


class CountingClient:
    """Wraps a client to record the most calls in flight at once."""

    def __init__(self, inner: AepClient) -> None:
        self.inner = inner
        self.in_flight = 0
        self.peak = 0

    def __getattr__(self, name: str) -> Any:
        fn = getattr(self.inner, name)

        async def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await asyncio.sleep(0.01)
                return await fn(*args, **kwargs)
            finally:
                self.in_flight -= 1

        return wrapped


@pytest.mark.parametrize("parallelism", [1, 4])
def test_parallelism_bounds_calls_in_flight(parallelism: int) -> None:
    async def scenario() -> None:
        app = create_app(EmulatorConfig(db_path=":memory:"))
        async with AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app)) as c:
            ms = manifests(*(dataset(f"d{i}", name=f"D {i}") for i in range(12)))
            counting = CountingClient(c)
            result = await Applier(counting, parallelism=parallelism).apply(await _plan(c, ms))
            assert len([e for e in result.finished() if e.outcome is Outcome.SUCCEEDED]) == 12
            assert counting.peak == parallelism

    run(scenario())


def test_replace_cancels_before_it_creates() -> None:
    async def scenario() -> None:
        app = create_app(EmulatorConfig(db_path=":memory:", job_start_after=3600))
        async with AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app)) as c:
            await Applier(c).apply(await _plan(c, manifests(dataset(), job())))
            (old,) = await c.list_export_jobs()
            edited = manifests(dataset(), job(fields="identities.id"))
            plan = await _plan(c, edited)
            (change,) = [x for x in plan.changes if x.kind == "ExportJob"]
            assert change.action is Action.REPLACE
            result = await Applier(c).apply(plan)
            assert not result.failed
            # the cancelled job may stay listed a while (cancel=linger, the default)
            (new,) = [j for j in await c.list_export_jobs() if j["id"] != old["id"]]
            assert new["fields"] == "identities.id"
            assert not (await _plan(c, edited)).has_changes

    run(scenario())


class LosesFirstJobCreate:
    """The first job create fails with no answer and never reaches the platform."""

    def __init__(self, inner: AepClient) -> None:
        self.inner = inner
        self.lost = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def create_export_job(self, body: Any) -> Any:
        if not self.lost:
            self.lost += 1
            raise TransportError("POST /data/core/ups/export/jobs", 0, "connection reset")
        return await self.inner.create_export_job(body)


def test_a_lost_create_never_takes_a_known_job_of_the_same_request_for_its_own() -> None:
    """The known jobs come from the plan's change, not from what the plan observed."""

    async def nap(_: float) -> None:
        await asyncio.sleep(0)

    async def scenario() -> None:
        config = EmulatorConfig(db_path=":memory:", job_start_after=0, job_run_for=0)
        app = create_app(config)
        async with AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app)) as c:
            # not persisted, so not profile-ready: the platform fails the export job at once
            ms = manifests(dataset(fileDescription={"format": "parquet"}), job())
            await Applier(c).apply(await _plan(c, ms))
            (failed,) = await c.list_export_jobs()
            plan = await _plan(c, ms)
            (change,) = [x for x in plan.actionable if x.kind == "ExportJob"]
            assert change.known_job_ids == (str(failed["id"]),)
            blind = Plan(plan.stack, plan.target, plan.changes, observation=Observation())
            client = LosesFirstJobCreate(c)
            result = await Applier(client, sleep=nap).apply(blind)
            (event,) = result.finished()
            assert client.lost == 1 and event.outcome is Outcome.SUCCEEDED
            assert event.id is not None and event.id != str(failed["id"])
            assert len(await c.list_export_jobs()) == 2

    run(scenario())
