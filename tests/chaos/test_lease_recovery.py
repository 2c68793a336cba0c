"""The lease after a crash and under a faulty platform: taken over from a dead local holder,
never from a live or remote one, and its lock dataset created once despite lost answers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from aep_reconciler.applier.lease import Lease, LeaseInfo, LockedError, machine_id, pid_alive
from aep_reconciler.emulator import EmulatorConfig, create_app
from aep_reconciler.ownership import LOCK_TAG
from aep_reconciler.remote import AepClient, RetryPolicy
from aep_reconciler.remote.embedded import embedded_connection


def scenario(body: Callable[..., Awaitable[Any]], n: int = 2, **faults: Any) -> Any:
    async def run() -> Any:
        app = create_app(EmulatorConfig(db_path=":memory:", seed=7, **faults))
        retry = RetryPolicy(base_delay=0.001, max_delay=0.01, max_attempts=8)
        clients = [
            AepClient(embedded_connection(), transport=httpx.ASGITransport(app=app), retry=retry)
            for _ in range(n)
        ]
        try:
            return await body(*clients)
        finally:
            for client in clients:
                await client.aclose()

    return asyncio.run(run())


def dead(pid: int) -> bool:
    return False


def alive(pid: int) -> bool:
    return True


@pytest.mark.parametrize(
    ("holder_machine", "taker_machine", "is_alive", "taken"),
    [
        ("m1", "m1", dead, True),  # killed on this machine: nobody holds it
        ("m1", "m1", alive, False),  # still running here
        ("m1", "m2", dead, False),  # another machine: its PIDs mean nothing here
        ("", "", dead, False),  # machine unknown: only expiry frees it
    ],
)
def test_a_lease_is_taken_over_only_from_a_dead_holder_on_this_machine(
    holder_machine: str, taker_machine: str, is_alive: Callable[[int], bool], taken: bool
) -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        killed = Lease(a, "demo", machine=holder_machine)
        await killed.acquire()  # never released: the process was SIGKILLed
        taker = Lease(b, "demo", machine=taker_machine, alive=is_alive)
        if taken:
            await taker.acquire()
            assert taker.lock_id == killed.lock_id
        else:
            with pytest.raises(LockedError, match="is being applied by"):
                await taker.acquire()

    scenario(body)


def test_lease_info_round_trips_and_reads_old_leases() -> None:
    info = LeaseInfo("h", 5, "me@host pid 1", "m/boot/pid:[1]", 42)
    assert LeaseInfo.decode(info.encode()) == info
    old = LeaseInfo.decode(["holder=h", "expires=5", "by=x"])
    assert old == LeaseInfo("h", 5, "x") and not old.abandoned("", dead)
    assert LeaseInfo.decode(["holder=h", "expires=soon"]) is None


def test_this_process_is_alive_and_a_reaped_child_is_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert pid_alive(child.pid) is False
    assert pid_alive(os.getpid()) is True
    assert machine_id() == machine_id()


def test_lost_create_answers_still_make_exactly_one_lock_dataset() -> None:
    async def body(a: AepClient) -> None:
        async with Lease(a, "demo") as held:
            locks = await a.list_datasets(tags={LOCK_TAG: "demo"})
            assert list(locks) == [held.lock_id]

    scenario(body, n=1, ambiguous_rate=1.0)  # every create commits, every answer is lost


def test_the_lease_is_taken_through_server_errors() -> None:
    async def body(a: AepClient, b: AepClient) -> None:
        async with Lease(a, "demo") as held:
            with pytest.raises(LockedError):
                await Lease(b, "demo").acquire()
            assert held.lock_id is not None
        locks = await b.list_datasets(tags={LOCK_TAG: "demo"})
        assert len(locks) == 1

    scenario(body, fail_rate=0.3, ambiguous_rate=0.3)
