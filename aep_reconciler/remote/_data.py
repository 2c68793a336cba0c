"""Catalog batches and the Data Access API: what an export wrote, its files' bytes, a preview.

Files are read in ranges (``Range: bytes=a-b``): every chunk is an ordinary GET with the
client's retries, progress can be shown between chunks, and a download that stopped
resumes from the bytes already on disk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aep_reconciler.remote._base import Calls, segment
from aep_reconciler.wire import CATALOG_BASE, EXPORT_BASE

CHUNK = 8 * 1024 * 1024
PAGE = 100


def _data(body: Any) -> list[dict[str, Any]]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValueError("expected 'data' to be a list of objects")
    return data


class DataCalls(Calls):
    async def get_batch(self, batch_id: str) -> dict[str, Any]:
        """One Catalog batch (status, record counts, relatedObjects)."""
        path = f"{CATALOG_BASE}/batches/{segment(batch_id)}"
        answer = await self._request("GET", path, "GET /batches/{id}")
        body = answer.body
        found = body.get(batch_id) if isinstance(body, dict) else None
        if found is None and isinstance(body, dict) and len(body) == 1:
            found = next(iter(body.values()))
        if not isinstance(found, dict):
            raise self._bad_answer(f"GET {path}", "the answer does not hold the batch")
        return found

    async def list_batch_files(self, batch_id: str) -> list[dict[str, Any]]:
        """The dataset files of a batch (``dataSetFileId`` …), every page."""
        path = f"{EXPORT_BASE}/batches/{segment(batch_id)}/files"
        return await self._pages(path, "GET /export/batches/{id}/files")

    async def list_file_parts(self, file_id: str) -> list[dict[str, Any]]:
        """The parts of a dataset file: ``name``, ``length``, and a link with ``?path=``."""
        path = f"{EXPORT_BASE}/files/{segment(file_id)}"
        return await self._pages(path, "GET /export/files/{id}")

    async def preview_dataset(self, dataset_id: str) -> list[dict[str, Any]]:
        """The first rows of the dataset's latest batch (Data Access preview). One answer
        of at most 100 rows, not a listing: the endpoint takes no ``start`` to page with."""
        path = f"{EXPORT_BASE}/datasets/{segment(dataset_id)}/preview"
        answer = await self._request("GET", path, "GET /export/datasets/{id}/preview")
        try:
            return _data(answer.body)
        except ValueError as exc:
            raise self._bad_answer(f"GET {path}", str(exc)) from None

    async def _pages(self, path: str, name: str) -> list[dict[str, Any]]:
        """Every page, until a short one. A full page seen before means the platform ignored
        ``start``: an error, never an endless loop."""
        found: list[dict[str, Any]] = []
        seen: set[str] = set()
        while True:
            start = len(found)
            answer = await self._request(
                "GET", path, name, params={"start": str(start), "limit": str(PAGE)}
            )
            try:
                page = _data(answer.body)
            except ValueError as exc:
                raise self._bad_answer(f"GET {path}", str(exc)) from None
            found += page
            if len(page) < PAGE:
                return found
            marker = json.dumps(page, sort_keys=True, default=str)
            if marker in seen:
                raise self._bad_answer(f"GET {path}", f"start={start} repeats a page")
            seen.add(marker)

    async def download_part(
        self,
        file_id: str,
        name: str,
        length: int,
        dest: Path,
        on_progress: Callable[[int], None] = lambda done: None,
    ) -> int:
        """Write part ``name`` of a dataset file to ``dest``, resuming after what it holds."""
        path = f"{EXPORT_BASE}/files/{segment(file_id)}"
        done = dest.stat().st_size if dest.exists() else 0
        if done > length:  # not a partial copy of this file: start again
            dest.unlink()
            done = 0
        with dest.open("ab") as sink:
            while done < length:
                end = min(done + CHUNK, length) - 1
                answer = await self._request(
                    "GET",
                    path,
                    "GET /export/files/{id}?path",
                    params={"path": name},
                    headers={"Range": f"bytes={done}-{end}"},
                    raw=True,
                )
                chunk: bytes = answer.body
                if answer.status == 200:  # the range was ignored: the whole file came
                    sink.seek(0)
                    sink.truncate()
                    done = 0
                    chunk = chunk[:length]
                sink.write(chunk)
                done += len(chunk)
                if not chunk:
                    raise self._bad_answer(f"GET {path}", "an empty range")
                on_progress(done)
        return done
