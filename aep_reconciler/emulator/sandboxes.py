"""Which sandboxes exist, per org: ``prod`` always, others once configured.

A sandbox comes into being through ``serve --sandbox NAME``, ``emulator seed --sandbox``, or
the embedded target naming it, and stays in the database. A call naming any other sandbox is
refused (aep-api.md B.1): a typo must never read as an empty sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable

from aep_reconciler.emulator.database import Database

DEFAULT_SANDBOX = "prod"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandboxes (
    org_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
) WITHOUT ROWID;
"""


def normalise(name: str) -> str:
    """Sandbox names are lowercase (A.1); surrounding blanks are dropped."""
    return name.strip().lower()


class SandboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: set[tuple[str, str]] = set()
        db.conn.executescript(SCHEMA)

    def add(self, org_ids: Iterable[str], names: Iterable[str]) -> None:
        rows = [(org, normalise(name)) for org in org_ids for name in names]
        with self._db.transaction() as conn:
            conn.executemany("INSERT OR IGNORE INTO sandboxes (org_id, name) VALUES (?,?)", rows)
        self._known.update(rows)

    def exists(self, org_id: str, name: str) -> bool:
        if name == DEFAULT_SANDBOX or (org_id, name) in self._known:
            return True
        # Another process (seed, a second serve) may have added it to the shared file.
        row = self._db.conn.execute(
            "SELECT 1 FROM sandboxes WHERE org_id = ? AND name = ?", (org_id, name)
        ).fetchone()
        if row is not None:
            self._known.add((org_id, name))
        return row is not None
