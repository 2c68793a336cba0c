"""The apply lease: exactly one holder at a time, expiry, release, and the lock-dataset race."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from aep_reconciler.applier.lease import LEASE_TAG, Lease, LockedError
from aep_reconciler.emulator import EmulatorConfig, Variants, create_app
from aep_reconciler.ownership import LOCK_TAG
from aep_reconciler.remote import AepClient
from aep_reconciler.remote.embedded import embedded_connection


def with_clients(
    n: int, body: Callable[..., Awaitable[Any]], variants: Variants | None = None
) -> Any:
    async def scenario() -> Any:
        app = create_app(EmulatorConfig(db_path=":memory:", variants=variants or Variants()))
        clients = [
            AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app))
            for _ in range(n)
        ]
        try:
            return await body(*clients)
        finally:
            for c in clients:
                await c.aclose()

    return asyncio.run(scenario())


def test_second_apply_is_refused_while_the_first_holds_the_lease() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        async with Lease(a, "demo") as held:
            with pytest.raises(LockedError, match="stack demo is being applied by"):
                await Lease(b, "demo").acquire()
            lock, _ = await a.get_dataset(held.lock_id or "")
            assert lock["tags"][LOCK_TAG] == ["demo"]
            assert any(v.startswith("holder=") for v in lock["tags"][LEASE_TAG])
        later = Lease(b, "demo")
        await later.acquire()  # released on exit: free again
        await later.release()

    with_clients(2, body)


def test_racing_acquires_yield_exactly_one_holder_and_one_lock_dataset() -> None:
    async def body(*clients: AepClient) -> None:
        leases = [Lease(c, "demo") for c in clients]
        results = await asyncio.gather(*(x.acquire() for x in leases), return_exceptions=True)
        winners = [r for r in results if r is None]
        assert len(winners) == 1
        assert all(isinstance(r, LockedError) for r in results if r is not None)
        locks = await clients[0].list_datasets(tags={LOCK_TAG: "demo"})
        assert len(locks) == 1

    with_clients(4, body)


def test_an_expired_lease_is_taken_over() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        now = [1_000_000]
        stale = Lease(a, "demo", ttl=60, clock=lambda: now[0])
        await stale.acquire()  # then the process is killed: never released
        now[0] += 61_000
        fresh = Lease(b, "demo", clock=lambda: now[0])
        await fresh.acquire()
        assert fresh.lock_id == stale.lock_id

    with_clients(2, body)


def test_waiting_gets_the_lease_once_the_holder_releases() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        first = Lease(a, "demo")
        await first.acquire()

        async def release_soon() -> None:
            await asyncio.sleep(0.2)
            await first.release()

        waiting = Lease(b, "demo", wait=5)
        await asyncio.gather(release_soon(), waiting.acquire())
        assert waiting.lock_id == first.lock_id

    with_clients(2, body)


@pytest.mark.parametrize("tags_patch", ["replace", "merge"])
def test_release_removes_the_lease_whatever_a_field_patch_of_tags_does(tags_patch: str) -> None:
    """The lease tag goes with JSON Patch ``remove``: under a merging field-form PATCH, a tag
    map without it would leave the lease in place until it expired."""

    async def body(a: AepClient, b: AepClient) -> None:
        async with Lease(a, "demo") as held:
            dataset, _ = await a.get_dataset(str(held.lock_id))
            assert LEASE_TAG in dataset["tags"]
        dataset, _ = await a.get_dataset(str(held.lock_id))
        assert LEASE_TAG not in dataset["tags"] and dataset["tags"][LOCK_TAG] == ["demo"]
        await Lease(b, "demo").acquire()  # free at once, no wait

    with_clients(2, body, Variants.parse([f"tags-patch={tags_patch}"]))


def test_stacks_do_not_share_a_lease() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        async with Lease(a, "one"), Lease(b, "two"):
            pass

    with_clients(2, body)


def test_a_waiting_apply_looks_again_sooner_first_and_never_past_its_deadline() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        now = [1_000_000]
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            now[0] += int(seconds * 1000)

        async with Lease(a, "demo", clock=lambda: now[0]):
            waiting = Lease(b, "demo", wait=10, sleep=sleep, clock=lambda: now[0])
            with pytest.raises(LockedError):
                await waiting.acquire()
        assert len(waits) >= 5 and waits[0] <= 0.25 and max(waits) <= 2.0
        assert waits[:4] == sorted(waits[:4]) and waits[3] >= 4 * waits[0]  # it backs off
        assert sum(waits) <= 10.0 + 0.05

    with_clients(2, body)
