"""Plans read as what happened: a job generation shows its diff, a hand deletion its origin."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aep_reconciler.applier.lease import Lease
from aep_reconciler.applier.record import read_record, record_entries, recorded, write_record
from aep_reconciler.live import LiveState
from aep_reconciler.ownership import NAME_TAG, STACK_TAG
from aep_reconciler.plan import Action, FindingType, Origin
from aep_reconciler.remote import AepClient
from aep_reconciler.remote.embedded import embedded_connection, embedded_transport
from aep_reconciler.render.plan import plan_markdown, plan_text
from tests.test_planner import STACK, applied, dataset, job, manifests, plan


def test_a_job_following_a_finished_one_shows_only_what_changed() -> None:
    live = applied(manifests(dataset(), job()), job_status="SUCCEEDED")
    edited = job(fields="identities.id")
    p = plan(manifests(dataset(), edited), live)
    (create,) = [c for c in p.changes if c.action is Action.CREATE]
    assert create.paths == ("fields",)
    assert create.before is not None and create.before["fields"] == (
        "identities.id,personalEmail.address"
    )
    text = plan_text(p)
    assert '~ fields: "identities.id,personalEmail.address" → "identities.id"' in text
    assert "schema.name =" not in text  # not the whole body
    markdown = plan_markdown(p)
    assert '- fields: "identities.id,personalEmail.address"' in markdown
    assert '+ fields: "identities.id"' in markdown
    fresh = plan(manifests(dataset(), edited))  # nothing to follow: the whole body
    assert 'schema.name = "_xdm.context.profile"' in plan_text(fresh)


def test_a_dataset_the_record_names_is_deleted_by_hand_not_new() -> None:
    ms = manifests(dataset())
    live = LiveState(recorded={"exports": "5c0a2ea27f688ac7c67f21cc"})
    (create,) = plan(ms, live).changes
    assert (create.action, create.origin) == (Action.CREATE, Origin.PLATFORM)
    assert create.reason == (
        "dataset 5c0a2ea27f688ac7c67f21cc was deleted outside reconciler: creating it again"
    )
    (finding,) = plan(ms, live).drift
    assert (finding.type, finding.id) == (FindingType.MISSING, "5c0a2ea27f688ac7c67f21cc")
    (new,) = plan(ms, LiveState()).changes  # no record: simply new
    assert (new.origin, new.reason) == (Origin.CONFIG, "declared, not on the platform")


def test_the_record_is_written_under_the_lease_and_read_by_plans(tmp_path: Path) -> None:
    async def scenario() -> tuple[dict[str, str], dict[str, str], str, int]:
        transport = embedded_transport(tmp_path / "platform.db")
        async with AepClient(embedded_connection(), transport=transport) as client:
            tags = {STACK_TAG: [STACK], NAME_TAG: ["exports"]}
            ds = await client.create_dataset({"name": "x", "schemaRef": {"id": "s"}, "tags": tags})
            before = await read_record(client, STACK)
            async with Lease(client, STACK) as lease:
                assert lease.lock_id is not None
                await write_record(client, STACK, lease.lock_id)
                sent = client.stats.by_call["PATCH /dataSets/{id}"]
                await write_record(client, STACK, lease.lock_id)  # unchanged: no second write
                again = client.stats.by_call["PATCH /dataSets/{id}"] - sent
            return before, await read_record(client, STACK), ds, again

    before, after, dataset_id, again = asyncio.run(scenario())
    assert (before, after, again) == ({}, {"exports": dataset_id}, 0)
    assert record_entries({"a": {"tags": {NAME_TAG: ["n"]}}, "b": {}}) == ["n=a"]
    assert recorded({"tags": {"reconciler-datasets": ["n=a", "junk"]}}) == {"n": "a"}
