"""Which export jobs still have to run, and who runs each: exactly once across processes.

A job that will succeed gets a row here at creation; the row goes away in the same
transaction that records the job's batches. A process claims a due row by writing its
owner id and a lease; the lease is renewed while the export runs. A claim whose lease ran
out, or whose owner was a process on this machine that no longer exists, is taken over, so
an export interrupted by a killed process runs again, and a finished one never does.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid

from aep_reconciler.emulator.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS export_runs (
    tenant TEXT NOT NULL,
    job_id INTEGER NOT NULL,
    owner TEXT,
    lease_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, job_id)
) WITHOUT ROWID;
"""

LEASE_MS = 60_000
_HOST = socket.gethostname()


def _wall_ms() -> int:
    # Leases are about processes, not platform time: a manual clock must not freeze them.
    return time.time_ns() // 1_000_000


def _gone(owner: str) -> bool:
    """True when ``owner`` was a process on this machine that has exited."""
    host, _, rest = owner.partition(":")
    pid = rest.split(":", 1)[0]
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Claims:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.owner = f"{_HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        db.conn.executescript(SCHEMA)

    def add(self, conn: sqlite3.Connection, tenant: str, job_id: int) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO export_runs (tenant, job_id) VALUES (?, ?)", (tenant, job_id)
        )

    def tenants_with_work(self) -> list[str]:
        rows = self._db.conn.execute("SELECT DISTINCT tenant FROM export_runs")
        return [row["tenant"] for row in rows]

    def claim_due(self, tenant: str, now_ms: int, limit: int) -> list[int]:
        """Claim up to ``limit`` due exports that nobody (alive) runs; their job ids."""
        wall = _wall_ms()
        rows = self._db.conn.execute(
            "SELECT r.job_id, r.owner, r.lease_ms FROM export_runs r JOIN jobs j ON"
            " j.tenant = r.tenant AND j.id = r.job_id WHERE r.tenant = ? AND j.start_ms <= ?"
            " AND (r.owner IS NULL OR r.owner != ?) ORDER BY r.job_id",
            (tenant, now_ms, self.owner),
        ).fetchall()
        free = [
            row["job_id"]
            for row in rows
            if row["owner"] is None or row["lease_ms"] < wall or _gone(row["owner"])
        ][:limit]
        if not free:
            return []
        claimed = []
        with self._db.transaction() as conn:
            for job_id in free:
                cur = conn.execute(
                    "UPDATE export_runs SET owner = ?, lease_ms = ? WHERE tenant = ? AND"
                    " job_id = ? AND (owner IS NULL OR owner != ?)",
                    (self.owner, wall + LEASE_MS, tenant, job_id, self.owner),
                )
                if cur.rowcount:
                    claimed.append(job_id)
        return claimed

    def renew(self) -> None:
        self._db.conn.execute(
            "UPDATE export_runs SET lease_ms = ? WHERE owner = ?",
            (_wall_ms() + LEASE_MS, self.owner),
        )

    def holds(self, conn: sqlite3.Connection, tenant: str, job_id: int) -> bool:
        row = conn.execute(
            "SELECT owner FROM export_runs WHERE tenant = ? AND job_id = ?", (tenant, job_id)
        ).fetchone()
        return row is not None and row["owner"] == self.owner

    def finish(self, conn: sqlite3.Connection, tenant: str, job_id: int) -> None:
        conn.execute("DELETE FROM export_runs WHERE tenant = ? AND job_id = ?", (tenant, job_id))

    def release(self, tenant: str, job_id: int) -> None:
        """Give a claim back (the process stops before the export finished)."""
        self._db.conn.execute(
            "UPDATE export_runs SET owner = NULL, lease_ms = 0 WHERE tenant = ? AND job_id = ?"
            " AND owner = ?",
            (tenant, job_id, self.owner),
        )
