"""Merge policy routes of the Profile API: ``GET /config/mergePolicies`` and ``/{id}``.

Shapes from Adobe's "Merge policies endpoint" page: the list is ``{"_page": {"totalCount",
"pageSize"}, "children": [...], "_links": {"next": {"href"}}}`` (``href`` empty on the last
page), ``limit`` defaults to 20, ``orderBy=name|+name|-name`` (default name ascending), filters
``default``, ``schema.name``, ``identityGraph.type``, ``attributeMerge.type`` and ``version``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.responses import json_response, ups_error

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
BAD_REQUEST = "0100000001"
NOT_FOUND = "0100000404"
# query parameter → the policy field it filters (a dotted path of one nested level)
_FILTERS = {
    "default": "default",
    "schema.name": "schema.name",
    "identityGraph.type": "identityGraph.type",
    "attributeMerge.type": "attributeMerge.type",
    "version": "version",
}
_PAGING = ("limit", "start", "orderBy")


def _field(policy: dict[str, Any], path: str) -> str:
    value: Any = policy
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return str(value).lower() if isinstance(value, bool) else str(value)


def _count(raw: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"{low} to {high}" if high is not None else f"at least {low}"
        raise ups_error(400, BAD_REQUEST, [f"{name} must be an integer {bound}, got {raw!r}"])
    return int(raw)


def _ordered(policies: list[dict[str, Any]], raw: str) -> list[dict[str, Any]]:
    descending = raw.startswith("-")
    key = raw.lstrip("+-") or "name"
    if key not in ("name", "id", "version", "updateEpoch"):
        raise ups_error(400, BAD_REQUEST, [f"orderBy cannot sort by {key!r}"])
    return sorted(policies, key=lambda p: (p.get(key) is None, p.get(key)), reverse=descending)


async def list_merge_policies(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    caller = platform.authenticate(request)
    params = request.query_params
    unknown = sorted(set(params) - set(_FILTERS) - set(_PAGING))
    if unknown:
        raise ups_error(400, BAD_REQUEST, [f"unsupported query parameter {unknown[0]!r}"])
    limit = _count(params.get("limit"), "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    start = _count(params.get("start"), "start", 0, 0, None)
    order = params.get("orderBy", "name")
    platform.profiles.ensure(caller.tenant)  # a sandbox's store brings its seeded policies
    policies = platform.merge_policies.all(caller.tenant, platform.now_ms())
    for name, path in _FILTERS.items():
        if name in params:
            policies = [p for p in policies if _field(p, path) == params[name].lower()]
    policies = _ordered(policies, order)
    page = policies[start : start + limit]
    more = start + limit < len(policies)
    query = urlencode({"start": start + limit, "orderBy": order, "limit": limit})
    return json_response(
        {
            "_page": {"totalCount": len(policies), "pageSize": len(page)},
            "children": page,
            "_links": {"next": {"href": f"@/mergePolicies?{query}" if more else ""}},
        }
    )


async def get_merge_policy(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    caller = platform.authenticate(request)
    policy_id = request.path_params["id"]
    platform.profiles.ensure(caller.tenant)
    policy = platform.merge_policies.get(caller.tenant, policy_id, platform.now_ms())
    if policy is None:
        raise ups_error(404, NOT_FOUND, [f"Merge policy {policy_id} not found"])
    return json_response(policy)
