"""Profile export jobs in SQLite: create, read, cancel, cursor-paged lists, due transitions."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from reconciler.emulator.database import Database
from reconciler.emulator.datasets import DatasetStore
from reconciler.emulator.job_view import JobView
from reconciler.emulator.lifecycle import ERROR_DATASET_DELETED, last_batch

_ACTIVE = "('NEW', 'PROCESSING')"
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
            f" status IN {_ACTIVE} AND end_ms <= ?)",
            (tenant, now_ms, tenant, now_ms),
        ).fetchone()[0]
        if not due:
            return
        with self._db.transaction() as conn:
            self.advance_in(conn, tenant, now_ms)

    def advance_in(self, conn: sqlite3.Connection, tenant: str, now_ms: int) -> None:
        finished = conn.execute(
            f"UPDATE jobs SET status = outcome, update_ms = end_ms WHERE tenant = ? AND status IN "
            f"{_ACTIVE} AND end_ms <= ? RETURNING dataset_id, outcome, result",
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
        self.advance_in(conn, tenant, now_ms)
        conn.execute(
            "UPDATE jobs SET outcome = 'FAILED', result = json_set(result, '$.errors', json(?)),"
            f" start_ms = MIN(start_ms, ?), end_ms = ? WHERE tenant = ? AND dataset_id = ? AND"
            f" status IN {_ACTIVE}",
            (json.dumps([ERROR_DATASET_DELETED]), now_ms, now_ms, tenant, dataset_id),
        )
        self.advance_in(conn, tenant, now_ms)

    def get(self, tenant: str, job_id: int, view: JobView) -> dict[str, Any] | None:
        row = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE tenant = ? AND id = ?", (tenant, job_id)
        ).fetchone()
        return None if row is None else _render(row, view)

    def delete(self, tenant: str, job_id: int) -> bool:
        with self._db.transaction() as conn:
            cur = conn.execute("DELETE FROM jobs WHERE tenant = ? AND id = ?", (tenant, job_id))
        return cur.rowcount > 0

    def page(
        self,
        tenant: str,
        limit: int,
        after: tuple[int, int] | None,
        statuses: tuple[str, ...],
        view: JobView,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``limit`` jobs strictly after the cursor, newest first; and whether more exist."""
        where: list[str] = ["tenant = ?"]
        args: list[Any] = [tenant]
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        if after is not None:
            where.append("(creation_ms, id) < (?, ?)")  # a row value: one index range
            args.extend(after)
        rows = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE {' AND '.join(where)} "
            "ORDER BY creation_ms DESC, id DESC LIMIT ?",
            [*args, limit + 1],
        ).fetchall()
        return [_render(r, view) for r in rows[:limit]], len(rows) > limit


def _render(row: sqlite3.Row, view: JobView) -> dict[str, Any]:
    return view.render(row, json.loads(row["body"]), json.loads(row["result"]))
