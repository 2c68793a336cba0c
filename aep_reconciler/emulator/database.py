"""The SQLite database behind the platform: one connection, the schema, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_expiry ON tokens (expires_ms);

CREATE TABLE IF NOT EXISTS datasets (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS datasets_order ON datasets (tenant, created, id);
DROP INDEX IF EXISTS datasets_name;
CREATE INDEX IF NOT EXISTS datasets_by_name ON datasets (tenant, name, created, id);
CREATE INDEX IF NOT EXISTS datasets_by_updated ON datasets (tenant, updated, created, id);

CREATE TABLE IF NOT EXISTS dataset_tags (
    tenant TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    dataset_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dataset_tags_lookup ON dataset_tags (tenant, key, value, dataset_id);
-- Filters check each candidate dataset's own tags: (tenant, dataset_id, key) is one seek.
DROP INDEX IF EXISTS dataset_tags_owner;
CREATE INDEX IF NOT EXISTS dataset_tags_by_dataset ON dataset_tags (tenant, dataset_id, key, value);

CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    creation_ms INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    update_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    body TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_order ON jobs (tenant, creation_ms DESC, id DESC);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (tenant, status, creation_ms DESC, id DESC);
CREATE INDEX IF NOT EXISTS jobs_dataset ON jobs (tenant, dataset_id, status);
-- Unfinished jobs by the time of their next transition: reads find due work without a scan.
CREATE INDEX IF NOT EXISTS jobs_due_start ON jobs (tenant, start_ms) WHERE status = 'NEW';
CREATE INDEX IF NOT EXISTS jobs_due_end ON jobs (tenant, end_ms)
    WHERE status IN ('NEW', 'PROCESSING');

-- Jobs cancelled under the ``cancel=linger`` variant: listed until vanish_ms, then gone.
CREATE TABLE IF NOT EXISTS job_cancels (
    tenant TEXT NOT NULL,
    id INTEGER NOT NULL,
    vanish_ms INTEGER NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS merge_policies (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
"""


class DatabaseUnavailable(OSError):
    """The file cannot be opened as the platform's database (not SQLite, locked, read-only)."""


class DatabaseLocked(DatabaseUnavailable):
    """Another process holds the database's write lock for longer than the busy timeout."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} is locked by another process (another reconciler, or an emulator serving "
            "the same file); wait for it to finish, then run again"
        )


class Database:
    """One connection (``:memory:`` needs exactly one); WAL for files; explicit transactions.

    The app calls it from the event loop thread only and never awaits inside a transaction,
    so one connection serialises every write without locks of our own.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, cached_statements=256
            )
            self.conn.row_factory = sqlite3.Row
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=5000")
            self.conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"{path}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back if the block raises."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseLocked(self.path) from None  # after busy_timeout's wait
            raise
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()
