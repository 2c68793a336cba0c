"""Typed Catalog dataset calls (aep-api.md A.3): list with paging, get, create, patch, delete."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aep_reconciler.remote._base import Answer, Calls, segment
from aep_reconciler.remote._paging import check_page_size, dataset_query, datasets_of
from aep_reconciler.wire import CATALOG_BASE

DATASETS = f"{CATALOG_BASE}/dataSets"
JSON_PATCH = "application/json-patch+json"


# The Catalog pages spell the answer ``@/dataSets/{ID}``, Adobe's export guide
# ``@/datasets/{ID}`` (aep-api.md A.3): the collection name is read case-insensitively.
_REF = re.compile(r"/datasets/([^/?#]+)/?(?:[?#].*)?$", re.IGNORECASE)


def _id_from_ref(ref: Any) -> str | None:
    """``"@/dataSets/{ID}"``, ``"@/datasets/{ID}"`` (or a Location URL ending so) → ``ID``."""
    if not isinstance(ref, str):
        return None
    match = _REF.search(ref)
    return match.group(1) if match else None


def created_id(answer: Answer) -> str | None:
    """The new dataset's id from ``["@/dataSets/{ID}"]``, else from the Location header."""
    body = answer.body
    if isinstance(body, list) and body:
        found = _id_from_ref(body[0])
        if found:
            return found
    return _id_from_ref(answer.headers.get("location"))


class DatasetCalls(Calls):
    async def list_datasets(
        self,
        *,
        properties: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        name: str | None = None,
        page_size: int = 100,
    ) -> dict[str, dict[str, Any]]:
        """Every dataset matching the filters, id → object, paged oldest first.

        Catalog may answer fewer than ``limit`` datasets on a page that is not the last (at
        most 20 with ``observableSchema`` projected, or for service tokens: aep-api.md A.3),
        so pages are read until one comes back empty: N datasets cost one request per page
        the platform fills, plus one. A page with nothing new means the platform ignored
        ``start``: an error, never an endless loop and never a silently short list.
        """
        limit = check_page_size(page_size)
        found: dict[str, dict[str, Any]] = {}
        start = 0
        while True:
            query = dataset_query(start, limit, properties=properties, tags=tags, name=name)
            answer = await self._request("GET", DATASETS, "GET /dataSets", params=query)
            try:
                page = datasets_of(answer.body)
            except ValueError as exc:
                raise self._bad_answer(f"GET {DATASETS}", str(exc)) from None
            if not page:
                return found
            if page.keys() <= found.keys():
                raise self._bad_answer(f"GET {DATASETS}", f"start={start} repeats a page")
            found.update(page)
            start += len(page)

    async def get_dataset(self, dataset_id: str) -> tuple[dict[str, Any], str | None]:
        """The dataset and its E-Tag (for If-Match); 404 is an ApiError with status 404."""
        path = f"{DATASETS}/{segment(dataset_id)}"
        answer = await self._request("GET", path, "GET /dataSets/{id}")
        try:
            page = datasets_of(answer.body)
        except ValueError as exc:
            raise self._bad_answer(f"GET {path}", str(exc)) from None
        dataset = page.get(dataset_id)
        if dataset is None and len(page) == 1:
            dataset = next(iter(page.values()))
        if dataset is None:
            raise self._bad_answer(f"GET {path}", "the answer does not hold the dataset")
        etag = answer.headers.get("e-tag") or answer.headers.get("etag")
        return dataset, etag

    async def create_dataset(self, body: Mapping[str, Any]) -> str:
        """Create a dataset and return its id. Never retried unless the policy allows it."""
        answer = await self._json("POST", DATASETS, "POST /dataSets", dict(body))
        dataset_id = created_id(answer)
        if dataset_id is None:
            raise self._bad_answer(f"POST {DATASETS}", "no dataset id in the answer")
        return dataset_id

    async def patch_dataset(
        self, dataset_id: str, body: Mapping[str, Any], *, if_match: str | None = None
    ) -> None:
        """Change the given fields (a partial object); 412 when ``if_match`` is stale."""
        await self._patch(dataset_id, dict(body), None, if_match)

    async def json_patch_dataset(
        self, dataset_id: str, ops: Sequence[Mapping[str, Any]], *, if_match: str | None = None
    ) -> None:
        """Apply RFC 6902 operations; 412 when ``if_match`` is stale."""
        await self._patch(dataset_id, [dict(op) for op in ops], JSON_PATCH, if_match)

    async def _patch(
        self, dataset_id: str, body: Any, content_type: str | None, if_match: str | None
    ) -> None:
        path = f"{DATASETS}/{segment(dataset_id)}"
        kw: dict[str, Any] = {"headers": {"If-Match": if_match}} if if_match else {}
        if content_type:
            kw["content_type"] = content_type
        await self._json("PATCH", path, "PATCH /dataSets/{id}", body, **kw)

    async def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset (irreversible)."""
        path = f"{DATASETS}/{segment(dataset_id)}"
        await self._request("DELETE", path, "DELETE /dataSets/{id}")
