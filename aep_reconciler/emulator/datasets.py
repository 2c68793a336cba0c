"""Catalog datasets in SQLite: the full JSON in one column, name/time/tags indexed for lists."""

from __future__ import annotations

import json
import secrets
import sqlite3
import uuid
from typing import Any

from aep_reconciler.emulator.catalog_filters import register_functions
from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.dataset_query import DatasetQuery
from aep_reconciler.emulator.gateway import Caller
from aep_reconciler.wire import DATASET_READ_ONLY, PROFILE_UNION_SCHEMA

DEFAULT_CLASSIFICATION = {"dataBehavior": "record", "managedBy": "CUSTOMER"}


def new_id() -> str:
    """24 hex characters, like Catalog's ObjectId-style ids."""
    return secrets.token_hex(12)


def sandbox_id(tenant: str) -> str:
    """A stable UUID per tenant, as Adobe gives each sandbox one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-sandbox:{tenant}"))


def bump(version: str) -> str:
    major, minor, patch = (int(p) for p in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


def writable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in DATASET_READ_ONLY}


def is_profile_ready(doc: dict[str, Any]) -> bool:
    """Profile export needs the profile union schema and a persisted dataset (A.3)."""
    schema = (doc.get("schemaRef") or {}).get("id")
    persisted = (doc.get("fileDescription") or {}).get("persisted") is True
    return schema == PROFILE_UNION_SCHEMA and persisted


def new_document(
    caller: Caller, dataset_id: str, fields: dict[str, Any], now_ms: int
) -> dict[str, Any]:
    """A fresh dataset: the caller's writable fields plus every read-only field of A.3."""
    user = f"{caller.client_id}@AdobeID"
    doc: dict[str, Any] = {"tags": {}, **fields}
    doc.update(
        version="1.0.0",
        created=now_ms,
        updated=now_ms,
        createdUser=user,
        createdClient=caller.client_id,
        updatedUser=user,
        imsOrg=caller.org_id,
        sandboxId=sandbox_id(caller.tenant),
        state="ACTIVE",
        classification=dict(DEFAULT_CLASSIFICATION),
        files=f"@/dataSetFiles?dataSetId={dataset_id}",
        basePath=f"adl://aep-{caller.sandbox}.azuredatalakestore.net/platform/{dataset_id}",
        viewId=new_id(),
    )
    return doc


class DatasetStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        register_functions(db.conn)

    def insert(
        self, conn: sqlite3.Connection, tenant: str, doc_id: str, doc: dict[str, Any]
    ) -> None:
        conn.execute(
            "INSERT INTO datasets (tenant, id, name, created, updated, body) VALUES (?,?,?,?,?,?)",
            (tenant, doc_id, doc["name"], doc["created"], doc["updated"], json.dumps(doc)),
        )
        self._write_tags(conn, tenant, doc_id, doc.get("tags") or {})

    def get(self, tenant: str, doc_id: str) -> dict[str, Any] | None:
        row = self._db.conn.execute(
            "SELECT body FROM datasets WHERE tenant = ? AND id = ?", (tenant, doc_id)
        ).fetchone()
        return None if row is None else dict(json.loads(row["body"]))

    def update(
        self,
        conn: sqlite3.Connection,
        caller: Caller,
        doc_id: str,
        doc: dict[str, Any],
        fields: dict[str, Any],
        now_ms: int,
    ) -> dict[str, Any]:
        """Replace the writable fields with ``fields``; bump version only on a real change."""
        if writable(doc) == fields:
            return doc
        new = dict(fields)
        new.update((k, v) for k, v in doc.items() if k in DATASET_READ_ONLY)
        new.update(
            version=bump(doc["version"]), updated=now_ms, updatedUser=f"{caller.client_id}@AdobeID"
        )
        conn.execute(
            "UPDATE datasets SET name = ?, updated = ?, body = ? WHERE tenant = ? AND id = ?",
            (new["name"], now_ms, json.dumps(new), caller.tenant, doc_id),
        )
        self._write_tags(conn, caller.tenant, doc_id, new.get("tags") or {})
        return new

    def delete(self, conn: sqlite3.Connection, tenant: str, doc_id: str) -> bool:
        cur = conn.execute("DELETE FROM datasets WHERE tenant = ? AND id = ?", (tenant, doc_id))
        conn.execute(
            "DELETE FROM dataset_tags WHERE tenant = ? AND dataset_id = ?", (tenant, doc_id)
        )
        return cur.rowcount > 0

    def record_batch(
        self, conn: sqlite3.Connection, tenant: str, doc_id: str, batch_id: str, status: str
    ) -> None:
        """A job wrote a batch into the dataset: platform-side, so no version bump."""
        conn.execute(
            "UPDATE datasets SET body = json_set(body, '$.lastBatchId', ?, '$.lastBatchStatus', ?)"
            " WHERE tenant = ? AND id = ?",
            (batch_id, status, tenant, doc_id),
        )

    def page(self, tenant: str, query: DatasetQuery) -> list[tuple[str, dict[str, Any]]]:
        sql, args = query.sql(tenant)
        ids = [row["id"] for row in self._db.conn.execute(sql, args)]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        bodies = {
            row["id"]: row["body"]
            for row in self._db.conn.execute(
                f"SELECT id, body FROM datasets WHERE tenant = ? AND id IN ({marks})",
                [tenant, *ids],
            )
        }
        return [(doc_id, json.loads(bodies[doc_id])) for doc_id in ids]

    @staticmethod
    def _write_tags(
        conn: sqlite3.Connection, tenant: str, doc_id: str, tags: dict[str, list[str]]
    ) -> None:
        conn.execute(
            "DELETE FROM dataset_tags WHERE tenant = ? AND dataset_id = ?", (tenant, doc_id)
        )
        rows = [
            (tenant, key, value, doc_id) for key, values in tags.items() for value in values or [""]
        ]
        conn.executemany(
            "INSERT INTO dataset_tags (tenant, key, value, dataset_id) VALUES (?,?,?,?)", rows
        )
