"""Reading and breaking a stack's lease from outside an apply (ls, unlock)."""

from __future__ import annotations

import pytest

from aep_reconciler.applier.lease import Lease, LockedError
from aep_reconciler.applier.unlock import break_lease, describe, read_lease
from aep_reconciler.remote import AepClient
from tests.test_lease import with_clients


def test_a_stack_that_never_applied_has_no_lease() -> None:
    async def body(a: AepClient) -> None:
        state = await read_lease(a, "demo")
        assert state.lock_id is None and state.lease is None
        assert await break_lease(a, state)  # nothing to break

    with_clients(1, body)


def test_a_lease_from_another_machine_is_named_and_broken() -> None:
    async def body(ci: AepClient, me: AepClient) -> None:
        await Lease(ci, "demo", machine="ci-runner-7").acquire()  # killed: never released
        with pytest.raises(LockedError):
            await Lease(me, "demo").acquire()
        state = await read_lease(me, "demo")
        assert state.lease is not None and state.lock_id is not None
        assert describe(state.lease, state.lease.expires_ms - 30_000).endswith(", expires in 30 s")
        assert describe(state.lease, state.lease.expires_ms + 5_000).endswith(", expired 5 s ago")
        assert await break_lease(me, state)
        assert (await read_lease(me, "demo")).lease is None
        await Lease(me, "demo").acquire()  # free at once

    with_clients(2, body)


def test_a_lease_renewed_since_it_was_read_is_not_broken() -> None:
    async def body(ci: AepClient, me: AepClient) -> None:
        holder = Lease(ci, "demo", machine="ci-runner-7")
        await holder.acquire()
        stale = await read_lease(me, "demo")
        await holder.acquire()  # the running apply renews its lease
        assert not await break_lease(me, stale)
        assert (await read_lease(me, "demo")).lease is not None

    with_clients(2, body)
