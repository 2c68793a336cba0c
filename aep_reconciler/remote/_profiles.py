"""Audiences and merge policies of the target sandbox (plan checks references against them).

Both lists are read through their list endpoints with the largest page, following the
next links the answers carry: one request each for any sandbox of ordinary size.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aep_reconciler.remote._base import Calls
from aep_reconciler.wire import UPS_BASE

DEFINITIONS = f"{UPS_BASE}/segment/definitions"
MERGE_POLICIES = f"{UPS_BASE}/config/mergePolicies"
PAGE = 100
MAX_PAGES = 1000  # a next link that never ends is a broken answer, not a huge sandbox


def _query_of(link: Any) -> dict[str, str] | None:
    """The query of a next link (absolute, ``/…`` or ``@/…``), or None when there is none."""
    if not isinstance(link, str) or not link.strip():
        return None
    query = dict(parse_qsl(urlsplit(link.strip().removeprefix("@")).query))
    return query or None


def _records(body: Any, key: str) -> list[dict[str, Any]]:
    records = body.get(key) if isinstance(body, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"expected {key!r} to be a list of objects")
    return records


class ProfileCalls(Calls):
    async def list_segment_definitions(self) -> list[dict[str, Any]]:
        """Every segment definition (audience) of the sandbox."""
        return await self._all(
            DEFINITIONS, "GET /segment/definitions", "segments", _definitions_next
        )

    async def list_merge_policies(self) -> list[dict[str, Any]]:
        """Every merge policy of the sandbox."""
        return await self._all(
            MERGE_POLICIES, "GET /config/mergePolicies", "children", _policies_next
        )

    async def _all(self, path: str, name: str, key: str, next_of: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        query: dict[str, str] | None = {"limit": str(PAGE)}
        seen: set[str] = set()
        while query is not None:
            if len(seen) == MAX_PAGES:
                raise self._bad_answer(f"GET {path}", f"more than {MAX_PAGES} pages")
            answer = await self._request("GET", path, name, params=query)
            try:
                found += _records(answer.body, key)
            except ValueError as exc:
                raise self._bad_answer(f"GET {path}", str(exc)) from None
            query = next_of(answer.body)
            marker = repr(sorted((query or {}).items()))
            if query is not None and marker in seen:
                raise self._bad_answer(f"GET {path}", "the next link repeats")
            seen.add(marker)
        return found


def _definitions_next(body: dict[str, Any]) -> dict[str, str] | None:
    link = body.get("link")
    return _query_of(link.get("next")) if isinstance(link, dict) else None


def _policies_next(body: dict[str, Any]) -> dict[str, str] | None:
    links = body.get("_links")
    nxt = links.get("next") if isinstance(links, dict) else None
    return _query_of(nxt.get("href")) if isinstance(nxt, dict) else None
