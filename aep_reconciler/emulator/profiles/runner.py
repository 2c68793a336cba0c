"""Export jobs run off the request path: claimed on the event loop, computed on a worker
thread with its own DuckDB connection, recorded on the event loop again.

SQLite is only touched from the event loop thread (the platform's one connection); the
worker only reads Parquet and writes Parquet into a staging folder. ``tick`` is called
before every read of jobs and when the platform starts: it records finished exports and
claims the ones that became due, so an export due while no process ran starts as soon as
a platform opens the database again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.profiles.audiences import AudienceStore
from aep_reconciler.emulator.profiles.batches import Batch, BatchStore
from aep_reconciler.emulator.profiles.claims import Claims
from aep_reconciler.emulator.profiles.engine import ExportResult, ExportSpec, MergeRule, run_export
from aep_reconciler.emulator.profiles.requests import (
    export_failed,
    segments_of,
    spec_of,
    unknown_merge_policy,
    unknown_segment,
)
from aep_reconciler.emulator.profiles.storage import Storage
from aep_reconciler.emulator.profiles.store import ProfileStore

# policy id (None: the sandbox default) → how it merges, or None when it does not exist
PolicyLookup = Callable[[str, str | None], MergeRule | None]
# One thread: the other core keeps answering the API while an export runs (bench/README.md).
DUCKDB_SETTINGS: dict[str, str | int] = {"threads": 1, "memory_limit": "600MB"}
EXPORT_NICENESS = 10  # added to the worker thread's nice value (Linux: per thread)


@dataclass(frozen=True)
class _Task:
    tenant: str
    job_id: int
    dataset_id: str
    batch_ids: tuple[str, ...]
    staging: Path
    claimed_ms: int = 0  # platform time when this process took the export on


def _yield_to_the_api() -> None:
    """The worker thread runs at a lower priority than the thread that answers requests.

    Linux keeps a nice value per thread, and DuckDB with one thread computes on the caller's
    thread, so the export takes whatever CPU the API leaves: list and get answers keep their
    speed while an export runs (bench/exports.py). Elsewhere this is a no-op.
    """
    with contextlib.suppress(AttributeError, OSError):
        # relative to the process (its main thread's id is the pid), so a worker thread that
        # runs many exports stays at the same value
        niceness = os.getpriority(os.PRIO_PROCESS, os.getpid()) + EXPORT_NICENESS
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(niceness, 19))


def _export(store: Path, spec: ExportSpec, task: _Task) -> ExportResult:
    """The worker's part: one DuckDB connection per export, spilling into the staging area."""
    _yield_to_the_api()
    settings: dict[str, str | bool | int | float | list[str]] = {
        **DUCKDB_SETTINGS,
        "temp_directory": str(task.staging / ".spill"),
    }
    con = duckdb.connect(config=settings)
    try:
        return run_export(con, store, spec, task.batch_ids, task.staging)
    finally:
        con.close()


def _batch_ids(result: dict[str, Any]) -> tuple[str, ...]:
    if result.get("batches"):
        return tuple(str(b["batchId"]) for b in result["batches"])
    return (str(result["batchId"]),) if result.get("batchId") else ()


def _window(start: int, end: int) -> dict[str, int]:
    return {"startTimeInMs": start, "endTimeInMs": end, "totalTimeInMs": end - start}


class ExportRunner:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        profiles: ProfileStore,
        audiences: AudienceStore,
        batches: BatchStore,
        policies: PolicyLookup,
        workers: int = 1,
    ) -> None:
        self._db = db
        self._storage = storage
        self._profiles = profiles
        self._audiences = audiences
        self._batches = batches
        self._policies = policies
        self.claims = Claims(db)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aep-export")
        self._running: dict[Future[ExportResult], _Task] = {}

    # --- event loop side ------------------------------------------------------------------

    def tick(self, tenant: str, now_ms: int) -> None:
        """Record what finished, then start what is due (cheap when there is nothing)."""
        self.collect(now_ms)
        for job_id in self.claims.claim_due(tenant, now_ms, limit=16):
            self._start(tenant, job_id, now_ms)

    def start_all(self, now_ms: int) -> None:
        """At startup: every sandbox's exports that fell due while no platform ran."""
        for tenant in self.claims.tenants_with_work():
            self.tick(tenant, now_ms)

    def collect(self, now_ms: int) -> None:
        for future in [f for f in self._running if f.done()]:
            task = self._running.pop(future)
            error = future.exception()
            if error is None:
                self._record(task, future.result(), now_ms)
            else:
                self._fail(task, export_failed(str(error).splitlines()[0]), now_ms)

    def close(self, now_ms: int) -> None:
        """Let running exports finish and record them; nothing new starts."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        for future, task in list(self._running.items()):
            if future.cancelled():
                self._running.pop(future)
                self.claims.release(task.tenant, task.job_id)
                shutil.rmtree(task.staging, ignore_errors=True)
        self.collect(now_ms)

    def _job(self, tenant: str, job_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.conn.execute(
            "SELECT dataset_id, body, result, start_ms, end_ms FROM jobs WHERE tenant = ? AND"
            " id = ?",
            (tenant, job_id),
        ).fetchone()
        return row

    def _start(self, tenant: str, job_id: int, now_ms: int) -> None:
        row = self._job(tenant, job_id)
        if row is None:  # cancelled while waiting
            with self._db.transaction() as conn:
                self.claims.finish(conn, tenant, job_id)
            return
        body, result = json.loads(row["body"]), json.loads(row["result"])
        task = _Task(tenant, job_id, row["dataset_id"], _batch_ids(result), Path())
        self._profiles.ensure(tenant)
        sandbox = tenant.split("/", 1)[1]
        policy_id = (body.get("mergePolicy") or {}).get("id")
        merge = self._policies(tenant, policy_id)
        if merge is None:
            self._fail(task, unknown_merge_policy(str(policy_id), sandbox), now_ms)
            return
        rules = segments_of(body)
        known = self._audiences.known(tenant, [r.id for r in rules if r.namespace == "ups"])
        missing = [r for r in rules if r.namespace == "ups" and r.id not in known]
        if missing:
            self._fail(task, unknown_segment(missing[0], sandbox), now_ms)
            return
        task = _Task(
            tenant, job_id, task.dataset_id, task.batch_ids, self._storage.staging(), now_ms
        )
        store = self._profiles.folder(tenant)
        future = self._pool.submit(_export, store, spec_of(body, merge), task)
        self._running[future] = task
        self.claims.renew()

    def _record(self, task: _Task, export: ExportResult, now_ms: int) -> None:
        with self._db.transaction() as conn:
            row = self._job(task.tenant, task.job_id)
            if row is None or not self.claims.holds(conn, task.tenant, task.job_id):
                shutil.rmtree(task.staging, ignore_errors=True)
                return
            # The export ran from when it was claimed for the time it took (never past now: a
            # manual clock stands still meanwhile); the job ends when it was due to, or when
            # the export did if that is later.
            start = max(row["start_ms"], task.claimed_ms)
            written = min(start + export.select_ms + export.write_ms, max(now_ms, start))
            selected = min(start + export.select_ms, written)
            end = max(row["end_ms"], written)
            for out in export.batches:
                final = self._storage.batch(task.tenant, task.dataset_id, out.batch_id)
                shutil.rmtree(final, ignore_errors=True)
                final.parent.mkdir(parents=True, exist_ok=True)
                out.folder.rename(final)
                batch = Batch(
                    out.batch_id, task.dataset_id, task.job_id, "success", start, end,
                    out.records, str(final), out.files,
                )  # fmt: skip
                self._batches.insert(conn, task.tenant, batch)
            metrics = {
                "profileExportTime": _window(start, selected),
                "aCPDatasetWriteTime": _window(selected, written),
                "totalExportedProfileCounter": export.profiles,
                "exportedProfileByNamespaceCounter": export.by_namespace,
            }
            self._complete(conn, task, {"exported": metrics}, "SUCCEEDED", end)
        shutil.rmtree(task.staging, ignore_errors=True)

    def _fail(self, task: _Task, error: dict[str, str], now_ms: int) -> None:
        with self._db.transaction() as conn:
            self._complete(conn, task, {"errors": [error]}, "FAILED", now_ms)
        if task.staging != Path():
            shutil.rmtree(task.staging, ignore_errors=True)

    def _complete(
        self,
        conn: sqlite3.Connection,
        task: _Task,
        patch: dict[str, Any],
        outcome: str,
        end_ms: int,
    ) -> None:
        row = conn.execute(
            "SELECT result, end_ms FROM jobs WHERE tenant = ? AND id = ?",
            (task.tenant, task.job_id),
        ).fetchone()
        if row is not None:
            result = {**json.loads(row["result"]), **patch}
            conn.execute(
                "UPDATE jobs SET outcome = ?, result = ?, end_ms = ? WHERE tenant = ? AND id = ?",
                (outcome, json.dumps(result), max(row["end_ms"], end_ms), task.tenant, task.job_id),
            )
        self.claims.finish(conn, task.tenant, task.job_id)
