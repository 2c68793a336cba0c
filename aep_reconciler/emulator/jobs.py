"""Profile export jobs in SQLite: create, read, cancel, cursor-paged lists, due transitions."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.datasets import DatasetStore
from aep_reconciler.emulator.job_view import JobView
from aep_reconciler.emulator.lifecycle import ERROR_CANCELLED, ERROR_DATASET_DELETED, last_batch
from aep_reconciler.emulator.variants import Cancel

_ACTIVE = "('NEW', 'PROCESSING')"
NEVER_MS = 2**62  # a transition time that never comes: a lingering cancelled job stays put
# A job whose export has not been recorded yet (profiles/claims.py) cannot finish.
_EXPORTED = (
    "NOT EXISTS (SELECT 1 FROM export_runs r WHERE r.tenant = jobs.tenant AND r.job_id = jobs.id)"
)
_COLUMNS = "id, creation_ms, start_ms, end_ms, update_ms, status, body, result"


class JobStore:
    def __init__(self, db: Database, datasets: DatasetStore) -> None:
        self._db = db
        self._datasets = datasets

    def insert(
        self,
        conn: sqlite3.Connection,
        tenant: str,
        body: dict[str, Any],
        result: dict[str, Any],
        outcome: str,
        times: tuple[int, int, int],
    ) -> int:
        creation, start, end = times
        cur = conn.execute(
            "INSERT INTO jobs (tenant, creation_ms, start_ms, end_ms, update_ms, status, outcome,"
            " dataset_id, body, result) VALUES (?,?,?,?,?,'NEW',?,?,?,?)",
            (
                tenant,
                creation,
                start,
                end,
                creation,
                outcome,
                body["destination"]["datasetId"],
                json.dumps(body),
                json.dumps(result),
            ),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def advance(self, tenant: str, now_ms: int) -> None:
        """Write every transition that is due by ``now_ms`` so SQL status filters are right."""
        due = self._db.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM jobs WHERE tenant = ? AND status = 'NEW' AND"
            " start_ms <= ?) OR EXISTS (SELECT 1 FROM jobs WHERE tenant = ? AND"
            f" status IN {_ACTIVE} AND end_ms <= ? AND {_EXPORTED}) OR EXISTS (SELECT 1 FROM"
            " job_cancels WHERE tenant = ? AND vanish_ms <= ?)",
            (tenant, now_ms, tenant, now_ms, tenant, now_ms),
        ).fetchone()[0]
        if not due:
            return
        with self._db.transaction() as conn:
            self.advance_in(conn, tenant, now_ms)

    def advance_in(self, conn: sqlite3.Connection, tenant: str, now_ms: int) -> None:
        gone = conn.execute(
            "DELETE FROM job_cancels WHERE tenant = ? AND vanish_ms <= ? RETURNING id",
            (tenant, now_ms),
        ).fetchall()
        for row in gone:
            conn.execute("DELETE FROM jobs WHERE tenant = ? AND id = ?", (tenant, row["id"]))
        finished = conn.execute(
            f"UPDATE jobs SET status = outcome, update_ms = end_ms WHERE tenant = ? AND status IN "
            f"{_ACTIVE} AND end_ms <= ? AND {_EXPORTED} RETURNING dataset_id, outcome, result",
            (tenant, now_ms),
        ).fetchall()
        conn.execute(
            "UPDATE jobs SET status = 'PROCESSING', update_ms = start_ms WHERE tenant = ? AND "
            "status = 'NEW' AND start_ms <= ?",
            (tenant, now_ms),
        )
        for row in finished:
            batch = last_batch(json.loads(row["result"]))
            if row["outcome"] == "SUCCEEDED" and batch is not None:
                self._datasets.record_batch(conn, tenant, row["dataset_id"], batch, "success")

    def fail_for_dataset(
        self, conn: sqlite3.Connection, tenant: str, dataset_id: str, now_ms: int
    ) -> None:
        """The destination is gone: every unfinished job writing into it fails now."""
        self._fail_now(conn, tenant, "dataset_id = ?", dataset_id, ERROR_DATASET_DELETED, now_ms)

    def _fail_now(
        self,
        conn: sqlite3.Connection,
        tenant: str,
        where: str,
        arg: Any,
        error: dict[str, str],
        now_ms: int,
    ) -> None:
        """Unfinished jobs matching ``where`` end FAILED with ``error`` at ``now_ms``."""
        self.advance_in(conn, tenant, now_ms)
        conn.execute(  # a failed job exports nothing
            "DELETE FROM export_runs WHERE tenant = ? AND job_id IN (SELECT id FROM jobs WHERE"
            f" tenant = ? AND {where} AND status IN {_ACTIVE})",
            (tenant, tenant, arg),
        )
        conn.execute(
            "UPDATE jobs SET outcome = 'FAILED', result = json_set(result, '$.errors', json(?)),"
            f" start_ms = MIN(start_ms, ?), end_ms = ? WHERE tenant = ? AND {where} AND"
            f" status IN {_ACTIVE}",
            (json.dumps([error]), now_ms, now_ms, tenant, arg),
        )
        self.advance_in(conn, tenant, now_ms)

    def cancel(
        self,
        conn: sqlite3.Connection,
        tenant: str,
        job_id: int,
        mode: Cancel,
        times: tuple[int, int],
    ) -> bool:
        """Cancel a job the way the ``cancel`` variant says; False when there is no such job.

        ``vanish``: gone at once. ``fail``: an unfinished job ends FAILED now. ``linger``: an
        unfinished job stops moving, and any job stays listed until ``times[1]`` (ms).
        """
        now_ms, vanish_ms = times
        self.advance_in(conn, tenant, now_ms)
        found = conn.execute(
            "SELECT 1 FROM jobs WHERE tenant = ? AND id = ?", (tenant, job_id)
        ).fetchone()
        if found is None:
            return False
        # a cancelled job exports nothing (an export already running is not recorded)
        conn.execute("DELETE FROM export_runs WHERE tenant = ? AND job_id = ?", (tenant, job_id))
        if mode == "vanish":
            conn.execute("DELETE FROM jobs WHERE tenant = ? AND id = ?", (tenant, job_id))
        elif mode == "fail":
            self._fail_now(conn, tenant, "id = ?", job_id, ERROR_CANCELLED, now_ms)
        else:
            conn.execute(
                "INSERT OR IGNORE INTO job_cancels (tenant, id, vanish_ms) VALUES (?,?,?)",
                (tenant, job_id, vanish_ms),
            )
            conn.execute(
                "UPDATE jobs SET start_ms = CASE WHEN status = 'NEW' THEN ? ELSE start_ms END,"
                f" end_ms = ? WHERE tenant = ? AND id = ? AND status IN {_ACTIVE}",
                (NEVER_MS, NEVER_MS, tenant, job_id),
            )
        return True

    def get(self, tenant: str, job_id: int, view: JobView) -> dict[str, Any] | None:
        row = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE tenant = ? AND id = ?", (tenant, job_id)
        ).fetchone()
        return None if row is None else _render(row, view)

    def page(
        self,
        tenant: str,
        limit: int,
        after: tuple[int, int] | int | None,
        statuses: tuple[str, ...],
        view: JobView,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``limit`` jobs strictly after the cursor (or after skipping ``after`` jobs when
        it is a number), newest first; and whether more exist."""
        where: list[str] = ["tenant = ?"]
        args: list[Any] = [tenant]
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        skip = after if isinstance(after, int) else 0
        if isinstance(after, tuple):
            where.append("(creation_ms, id) < (?, ?)")  # a row value: one index range
            args.extend(after)
        rows = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE {' AND '.join(where)} "
            "ORDER BY creation_ms DESC, id DESC LIMIT ? OFFSET ?",
            [*args, limit + 1, skip],
        ).fetchall()
        return [_render(r, view) for r in rows[:limit]], len(rows) > limit


def _render(row: sqlite3.Row, view: JobView) -> dict[str, Any]:
    return view.render(row, json.loads(row["body"]), json.loads(row["result"]))
