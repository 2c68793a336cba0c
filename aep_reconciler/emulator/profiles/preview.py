"""The first rows of a batch as JSON, for the Data Access preview of a dataset."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import duckdb

from aep_reconciler.emulator.profiles.batches import Batch


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def preview_rows(batch: Batch, limit: int) -> list[dict[str, Any]]:
    files = [str(Path(batch.folder) / name) for name, _ in batch.files]
    if not files or batch.records == 0:
        return []
    con = duckdb.connect()
    try:
        cursor = con.execute(
            "SELECT * FROM read_parquet($files) LIMIT $n", {"files": files, "n": limit}
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    plain: list[dict[str, Any]] = json.loads(json.dumps(_plain(rows)))
    return plain
