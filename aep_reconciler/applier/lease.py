"""One apply at a time per stack and sandbox: a lease held on a lock dataset, taken by CAS.

AEP has no lock API, but Catalog datasets have E-Tags and honour ``If-Match``. Each stack
keeps one small lock dataset per sandbox (tag ``reconciler-lock: [<stack>]``; it carries no
``reconciler-stack`` tag, so plans never see it). Taking the lease is a PATCH of its tags
with ``If-Match``: of two applies racing, exactly one PATCH succeeds and the other gets 412.
The lease names its holder and expires (default 10 minutes, renewed while the apply runs),
so a killed apply never locks the stack for good; a lease whose holder ran on this very
machine (same host, boot and PID namespace) and whose process is gone is taken over at
once. If two applies create the lock dataset at the same moment, the oldest one wins and
the other is deleted.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aep_reconciler.applier.recovery import ambiguous
from aep_reconciler.backoff import Backoff
from aep_reconciler.diagnostics import ApiError, ReconcilerError
from aep_reconciler.ownership import LOCK_TAG, remove_tag, set_tag, tags_of
from aep_reconciler.ports import Locking
from aep_reconciler.wire import PROFILE_UNION_SCHEMA, XED_CONTENT_TYPE

log = logging.getLogger(__name__)

LEASE_TAG = "reconciler-lease"
DEFAULT_TTL = 600.0
CREATE_ATTEMPTS = 5
# Between looks at a held lease or tries at the lock dataset: quick at first (a release is
# often moments away), then every one to two seconds.
BACKOFF = Backoff(base=0.25, cap=2.0, floor=0.5)


class LockedError(ReconcilerError):
    """Another apply holds the stack's lease."""


@dataclass(frozen=True)
class LeaseInfo:
    holder: str
    expires_ms: int
    by: str
    machine: str = ""  # where the holder runs (see machine_id); "" when unknown
    pid: int = 0

    def expired(self, now_ms: int) -> bool:
        return now_ms >= self.expires_ms

    def abandoned(self, machine: str, alive: Callable[[int], bool]) -> bool:
        """The holder ran on this machine and its process is gone (killed): nobody holds it."""
        return bool(machine) and self.machine == machine and self.pid > 0 and not alive(self.pid)

    def encode(self) -> list[str]:
        values = [f"holder={self.holder}", f"expires={self.expires_ms}", f"by={self.by}"]
        if self.machine and self.pid > 0:
            values += [f"machine={self.machine}", f"pid={self.pid}"]
        return values

    @classmethod
    def decode(cls, values: Sequence[str]) -> LeaseInfo | None:
        fields = dict(v.partition("=")[::2] for v in values)
        try:
            pid = int(fields.get("pid") or 0)
            return cls(
                fields["holder"],
                int(fields["expires"]),
                fields.get("by", "?"),
                fields.get("machine", ""),
                pid,
            )
        except (KeyError, ValueError):
            return None


def machine_id() -> str:
    """Host name, boot id and PID namespace: equal only where our PIDs mean the same process.

    Empty where it cannot be told (no /proc): then a lease is only ever taken over on expiry.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        pid_ns = os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""
    return f"{socket.gethostname()}/{boot}/{pid_ns}"


def pid_alive(pid: int) -> bool:
    """True unless the process certainly does not exist (a reused PID counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def lock_body(stack: str) -> dict[str, Any]:
    return {
        "name": f"reconciler lock: {stack}",
        "description": "Holds the apply lease of a reconciler stack. Contains no data; "
        "deleting it only releases the lock.",
        "schemaRef": {"id": PROFILE_UNION_SCHEMA, "contentType": XED_CONTENT_TYPE},
        "fileDescription": {"persisted": False},
        "tags": {LOCK_TAG: [stack]},
    }


async def write_lease(
    client: Locking,
    lock_id: str,
    dataset: Mapping[str, Any],
    etag: str | None,
    lease: LeaseInfo | None,
) -> bool:
    """Set (or with None, clear) the lease on the lock dataset read with ``etag``.

    False when the dataset changed since it was read (someone else moved first).
    """
    # JSON Patch, never a field-form PATCH of ``tags``: whether that replaces the map or
    # merges into it is not documented, and a merge would never drop the lease.
    if lease is not None:
        op = set_tag(LEASE_TAG, lease.encode())
    elif LEASE_TAG in tags_of(dataset):
        op = remove_tag(LEASE_TAG)
    else:
        return True
    try:
        await client.json_patch_dataset(lock_id, [op], if_match=etag)
    except ApiError as exc:
        if exc.status in (409, 412):
            return False
        raise
    return True


def oldest(found: Mapping[str, Mapping[str, Any]]) -> str:
    """The lock dataset that counts when two were created at once: the oldest."""
    return min(found, key=lambda i: (found[i].get("created") or 0, i))


def _now_ms() -> int:
    return int(time.time() * 1000)


class Lease:
    """The stack's lease; use ``async with Lease(...)`` around everything apply does."""

    def __init__(
        self,
        client: Locking,
        stack: str,
        *,
        ttl: float = DEFAULT_TTL,
        wait: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], int] = _now_ms,
        machine: str | None = None,
        alive: Callable[[int], bool] = pid_alive,
    ) -> None:
        self._client = client
        self._stack = stack
        self._ttl = ttl
        self._wait = wait
        self._sleep = sleep
        self._clock = clock
        self._machine = machine_id() if machine is None else machine
        self._alive = alive
        self.holder = uuid.uuid4().hex
        self.lock_id: str | None = None
        self._renewer: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Lease:
        await self.acquire()
        self._renewer = asyncio.create_task(self._renew_forever())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
        await self.release()

    async def _lock_dataset(self) -> str:
        tag = {LOCK_TAG: self._stack}
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            found = await self._client.list_datasets(tags=tag, properties=("created",))
            if found:
                return oldest(found)
            mine = await self._create_lock()
            found = await self._client.list_datasets(tags=tag, properties=("created",))
            if mine is None and not found:
                # the create failed before the platform committed it: try again
                await self._sleep(BACKOFF.delay(attempt))
                continue
            if mine is not None:
                found.setdefault(mine, {"created": 0})
            winner = oldest(found)
            if mine is not None and winner != mine:  # created at the same moment: theirs wins
                await self._delete_lock(mine)
            return winner
        raise ApiError(
            "POST /dataSets",
            0,
            None,
            f"lock dataset of stack {self._stack}",
            "the lock dataset could not be created",
        )

    async def _create_lock(self) -> str | None:
        """The new lock dataset's id, or None when the answer was lost (it may exist)."""
        try:
            return await self._client.create_dataset(lock_body(self._stack))
        except ApiError as exc:
            if not ambiguous(exc):
                raise
            return None  # never sent again blindly: the next listing tells whether it exists

    async def _delete_lock(self, dataset_id: str) -> None:
        try:
            await self._client.delete_dataset(dataset_id)
        except ApiError as exc:
            if exc.status != 404:  # a repeated DELETE whose first try went through
                raise

    async def acquire(self) -> None:
        deadline = self._clock() + int(self._wait * 1000)
        looks = 0
        while True:
            self.lock_id = await self._lock_dataset()
            dataset, etag = await self._client.get_dataset(self.lock_id)
            current = LeaseInfo.decode(tags_of(dataset).get(LEASE_TAG, []))
            now = self._clock()
            if current is None or self._free(current, now):
                if await self._write(dataset, etag, self._fresh(now)):
                    return
                continue
            if now >= deadline:
                left = max(0, (current.expires_ms - now) // 1000)
                raise LockedError(
                    f"stack {self._stack} is being applied by {current.by} (lease expires in "
                    f"{left} s); wait for it, or retry with --lock-timeout SECONDS"
                )
            looks += 1
            # never past the deadline, nor past the moment the holder's lease runs out
            until = min(deadline, current.expires_ms) - now
            pause = max(0.05, min(BACKOFF.delay(looks), until / 1000))
            log.info(
                "stack %s is held by %s; asking again in %.2f s", self._stack, current.by, pause
            )
            await self._sleep(pause)

    def _free(self, current: LeaseInfo, now: int) -> bool:
        return (
            current.holder == self.holder
            or current.expired(now)
            or current.abandoned(self._machine, self._alive)
        )

    def _fresh(self, now: int) -> LeaseInfo:
        expires = now + int(self._ttl * 1000)
        return LeaseInfo(self.holder, expires, who(), self._machine, os.getpid())

    async def _write(
        self, dataset: Mapping[str, Any], etag: str | None, lease: LeaseInfo | None
    ) -> bool:
        assert self.lock_id is not None
        return await write_lease(self._client, self.lock_id, dataset, etag, lease)

    async def _renew_forever(self) -> None:
        while True:
            await self._sleep(self._ttl / 3)
            try:
                await self.acquire()
            except (ApiError, LockedError):
                return  # the apply finishes or fails on its own; the lease just expires

    def stop_renewing(self) -> None:
        """Before the lock dataset is deleted (``reconciler destroy``): a renewal after the
        delete would create a new lock dataset for a stack that is gone."""
        if self._renewer is not None:
            self._renewer.cancel()

    def forget(self) -> None:
        """The lock dataset is gone: there is nothing left to release."""
        self.stop_renewing()
        self.lock_id = None

    async def release(self) -> None:
        if self.lock_id is None:
            return
        try:
            dataset, etag = await self._client.get_dataset(self.lock_id)
            current = LeaseInfo.decode(tags_of(dataset).get(LEASE_TAG, []))
            if current is not None and current.holder == self.holder:
                await self._write(dataset, etag, None)
        except ApiError:
            pass  # it expires by itself
