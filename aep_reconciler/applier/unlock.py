"""A stack's lease seen from outside an apply: who holds it (ls), and breaking it (unlock).

An apply killed on another machine (a cancelled CI runner) leaves its lease until it
expires; ``unlock --force`` clears it at once. The clear is a compare-and-swap like every
lease write: if the lease changed since it was read (its holder renewed it, another apply
took it), nothing is cleared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aep_reconciler.applier.lease import LEASE_TAG, LeaseInfo, oldest, write_lease
from aep_reconciler.ownership import LOCK_TAG, tags_of
from aep_reconciler.ports import Locking


@dataclass(frozen=True)
class LeaseState:
    """The stack's lock dataset (None: the stack never applied here) and its lease."""

    lock_id: str | None
    lease: LeaseInfo | None = None
    dataset: Mapping[str, Any] | None = None
    etag: str | None = None


async def read_lease(client: Locking, stack: str) -> LeaseState:
    found = await client.list_datasets(tags={LOCK_TAG: stack}, properties=("created",))
    if not found:
        return LeaseState(None)
    lock_id = oldest(found)
    dataset, etag = await client.get_dataset(lock_id)
    return LeaseState(lock_id, LeaseInfo.decode(tags_of(dataset).get(LEASE_TAG, [])), dataset, etag)


async def break_lease(client: Locking, state: LeaseState) -> bool:
    """Clear the lease read in ``state``; False when it changed since (nothing cleared)."""
    if state.lock_id is None or state.dataset is None:
        return True
    return await write_lease(client, state.lock_id, state.dataset, state.etag, None)


def describe(lease: LeaseInfo, now_ms: int) -> str:
    """ "held by ci@runner pid 7 (on another machine), expires in 540 s"."""
    seconds = (lease.expires_ms - now_ms) // 1000
    when = f"expires in {seconds} s" if seconds >= 0 else f"expired {-seconds} s ago"
    return f"held by {lease.by}, {when}"
