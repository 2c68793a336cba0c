"""Catalog batches in SQLite: what each export wrote into its dataset, and where the files are."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aep_reconciler.emulator.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    job_id INTEGER,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    records INTEGER NOT NULL,
    folder TEXT NOT NULL,
    files TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS batches_order ON batches (tenant, created, id);
CREATE INDEX IF NOT EXISTS batches_dataset ON batches (tenant, dataset_id, created, id);
"""

FILE_SUFFIX = "-1"  # one dataset file per batch: "{batchId}-1", like Adobe's examples


@dataclass(frozen=True)
class Batch:
    id: str
    dataset_id: str
    job_id: int | None
    status: str
    created: int
    updated: int
    records: int
    folder: str
    files: tuple[tuple[str, int], ...]

    @property
    def file_id(self) -> str:
        return self.id + FILE_SUFFIX


def catalog_view(batch: Batch, org_id: str, client_id: str) -> dict[str, Any]:
    """The batch object of ``GET /batches/{id}``."""
    user = f"{client_id}@AdobeID"
    return {
        "imsOrg": org_id,
        "status": batch.status,
        "relatedObjects": [
            {"type": "dataSet", "id": batch.dataset_id},
            *([{"type": "exportJob", "id": str(batch.job_id)}] if batch.job_id is not None else []),
        ],
        "metrics": {
            "recordsRead": batch.records,
            "recordsWritten": batch.records,
            "startTime": batch.created,
            "endTime": batch.updated,
        },
        "errors": [],
        "inputFormat": {"format": "parquet"},
        "created": batch.created,
        "createdClient": client_id,
        "createdUser": user,
        "updatedUser": user,
        "updated": batch.updated,
        "version": "1.0.0",
    }


def _batch(row: sqlite3.Row) -> Batch:
    files = tuple((str(n), int(s)) for n, s in json.loads(row["files"]))
    return Batch(
        row["id"],
        row["dataset_id"],
        row["job_id"],
        row["status"],
        row["created"],
        row["updated"],
        row["records"],
        row["folder"],
        files,
    )


class BatchStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.conn.executescript(SCHEMA)

    def insert(self, conn: sqlite3.Connection, tenant: str, batch: Batch) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO batches (tenant, id, dataset_id, job_id, status, created,"
            " updated, records, folder, files) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                tenant,
                batch.id,
                batch.dataset_id,
                batch.job_id,
                batch.status,
                batch.created,
                batch.updated,
                batch.records,
                batch.folder,
                json.dumps(batch.files),
            ),
        )

    def set_status(
        self, conn: sqlite3.Connection, tenant: str, ids: Sequence[str], status: str, ms: int
    ) -> None:
        conn.executemany(
            "UPDATE batches SET status = ?, updated = ? WHERE tenant = ? AND id = ?",
            [(status, ms, tenant, batch_id) for batch_id in ids],
        )

    def get(self, tenant: str, batch_id: str) -> Batch | None:
        row = self._db.conn.execute(
            "SELECT * FROM batches WHERE tenant = ? AND id = ?", (tenant, batch_id)
        ).fetchone()
        return None if row is None else _batch(row)

    def by_file(self, tenant: str, file_id: str) -> Batch | None:
        if not file_id.endswith(FILE_SUFFIX):
            return None
        return self.get(tenant, file_id.removesuffix(FILE_SUFFIX))

    def page(
        self,
        tenant: str,
        *,
        start: int,
        limit: int,
        descending: bool,
        filters: dict[str, Any],
    ) -> list[Batch]:
        where, args = ["tenant = ?"], [tenant]
        for column, op in (
            ("dataset_id", "="),
            ("status", "="),
            ("created_after", ">"),
            ("created_before", "<"),
        ):
            if column in filters:
                field = "created" if column.startswith("created") else column
                where.append(f"{field} {op} ?")
                args.append(filters[column])
        way = "DESC" if descending else "ASC"
        rows = self._db.conn.execute(
            f"SELECT * FROM batches WHERE {' AND '.join(where)} ORDER BY created {way}, id {way}"
            " LIMIT ? OFFSET ?",
            (*args, limit, start),
        )
        return [_batch(row) for row in rows]
