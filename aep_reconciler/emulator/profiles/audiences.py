"""Audiences (segment definitions) per sandbox in SQLite, in the shape of Adobe's answers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.profiles.generate import Audience

SCHEMA = """
CREATE TABLE IF NOT EXISTS audiences (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audiences_order ON audiences (tenant, created, id);
"""

SORTABLE = {"creationTime": "created", "updateTime": "updated", "name": "name", "id": "id"}


def definition(
    audience: Audience, org_id: str, sandbox: tuple[str, str], merge_policy: str | None, ms: int
) -> dict[str, Any]:
    """A segment definition as Adobe's list and get answers show one."""
    sandbox_id, sandbox_name = sandbox
    body: dict[str, Any] = {
        "id": audience.id,
        "schema": {"name": "_xdm.context.profile"},
        "profileInstanceId": "ups",
        "imsOrgId": org_id,
        "sandbox": {
            "sandboxId": sandbox_id,
            "sandboxName": sandbox_name,
            "type": "production" if sandbox_name == "prod" else "development",
            "default": sandbox_name == "prod",
        },
        "name": audience.name,
        "description": f"Seeded audience: about {audience.per_mille / 10:g}% of profiles",
        "expression": {
            "type": "PQL",
            "format": "pql/text",
            "value": f'_seeded.bucket < {audience.per_mille} and _seeded.namespace = "ups"',
        },
        "evaluationInfo": {
            "batch": {"enabled": True},
            "continuous": {"enabled": False},
            "synchronous": {"enabled": False},
        },
        "dataGovernancePolicy": {"excludeOptOut": True},
        "creationTime": ms,
        "updateEpoch": ms // 1000,
        "updateTime": ms,
    }
    if merge_policy is not None:
        body["mergePolicyId"] = merge_policy
    return body


class AudienceStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.conn.executescript(SCHEMA)

    def replace(
        self, conn: sqlite3.Connection, tenant: str, bodies: Iterable[dict[str, Any]]
    ) -> None:
        """A seed's audiences take the place of the sandbox's previous ones."""
        conn.execute("DELETE FROM audiences WHERE tenant = ?", (tenant,))
        conn.executemany(
            "INSERT INTO audiences (tenant, id, name, created, updated, body) VALUES (?,?,?,?,?,?)",
            [
                (tenant, b["id"], b["name"], b["creationTime"], b["updateTime"], json.dumps(b))
                for b in bodies
            ],
        )

    def get(self, tenant: str, audience_id: str) -> dict[str, Any] | None:
        row = self._db.conn.execute(
            "SELECT body FROM audiences WHERE tenant = ? AND id = ?", (tenant, audience_id)
        ).fetchone()
        return None if row is None else dict(json.loads(row["body"]))

    def known(self, tenant: str, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` name an audience of the sandbox."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        rows = self._db.conn.execute(
            f"SELECT id FROM audiences WHERE tenant = ? AND id IN ({marks})", (tenant, *ids)
        )
        return {row["id"] for row in rows}

    def count(self, tenant: str) -> int:
        row = self._db.conn.execute("SELECT count(*) FROM audiences WHERE tenant = ?", (tenant,))
        return int(row.fetchone()[0])

    def page(
        self, tenant: str, start: int, limit: int, sort: tuple[str, bool]
    ) -> list[dict[str, Any]]:
        """``limit`` definitions from offset ``start``, by ``sort`` (field, descending), then id."""
        column, desc = SORTABLE[sort[0]], sort[1]
        way = "DESC" if desc else "ASC"
        rows = self._db.conn.execute(
            f"SELECT body FROM audiences WHERE tenant = ? ORDER BY {column} {way}, id {way} "
            "LIMIT ? OFFSET ?",
            (tenant, limit, start),
        )
        return [json.loads(row["body"]) for row in rows]
