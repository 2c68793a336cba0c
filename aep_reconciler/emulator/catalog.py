"""Catalog dataset routes (A.3): create, list, get, patch (object or JSON Patch), put, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from aep_reconciler.emulator.dataset_query import parse_query, project
from aep_reconciler.emulator.datasets import new_document, new_id, writable
from aep_reconciler.emulator.gateway import Caller, require_content_type
from aep_reconciler.emulator.json_patch import (
    PatchError,
    PatchTestFailed,
    apply_patch,
    written_roots,
)
from aep_reconciler.emulator.limits import MAX_QUERY_PARAMETERS, json_value
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.responses import json_response, problem
from aep_reconciler.wire import CATALOG_BASE, DATASET_READ_ONLY, DatasetBody, DatasetPatch

JSON = "application/json"
JSON_PATCH = "application/json-patch+json"


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def _json_body(request: Request) -> Any:
    try:
        return json_value(await request.body())
    except ValueError as exc:
        raise problem(400, f"The request body is not valid JSON: {exc}") from None


def _reject_read_only(keys: set[str]) -> None:
    bad = sorted(keys & DATASET_READ_ONLY)
    if bad:
        raise problem(400, f"Read-only field(s) cannot be written: {', '.join(bad)}")


def _validated(model: type[BaseModel], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise problem(400, "The request body must be a JSON object")
    _reject_read_only(set(data))
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        report = [
            {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        messages = "; ".join(f"{r['path']}: {r['message']}" for r in report)
        raise problem(400, f"Invalid dataset: {messages}", {"errors": report}) from None
    return parsed.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _etag(doc: dict[str, Any]) -> str:
    return f'"{doc["version"]}"'


def _not_found() -> Exception:
    return problem(404, "DataSet not found.")


def _ref(platform: Platform, doc_id: str) -> list[str]:
    """The answer of a write: ``["@/dataSets/{id}"]``, spelled as ``dataset-ref`` says."""
    return [f"@/{platform.config.variants.dataset_ref}/{doc_id}"]


def _validate_only(request: Request) -> bool:
    """Catalog appendix: ``Pragma: validate-only`` validates a POST or PUT, saves nothing."""
    pragmas = request.headers.get("pragma", "").lower().replace(" ", "").split(",")
    return "validate-only" in pragmas


async def create_dataset(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    require_content_type(request, (JSON,))
    fields = _validated(DatasetBody, await _json_body(request))
    if _validate_only(request):
        return json_response([])
    doc_id = new_id()
    doc = new_document(caller, doc_id, fields, platform.now_ms())
    with platform.db.transaction() as conn:
        platform.datasets.insert(conn, caller.tenant, doc_id, doc)
    location = f"{CATALOG_BASE}/dataSets/{doc_id}"
    return json_response(_ref(platform, doc_id), 201, headers={"Location": location})


async def list_datasets(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    if len(request.query_params.multi_items()) > MAX_QUERY_PARAMETERS:
        raise problem(400, f"More than {MAX_QUERY_PARAMETERS} query parameters")
    query = parse_query(request.query_params, platform.config.variants)
    platform.advance(caller.tenant)
    rows = platform.datasets.page(caller.tenant, query)
    return json_response({doc_id: project(doc, query.properties) for doc_id, doc in rows})


async def get_dataset(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    doc_id = request.path_params["id"]
    platform.advance(caller.tenant)
    doc = platform.datasets.get(caller.tenant, doc_id)
    if doc is None:
        raise _not_found()
    etag = _etag(doc)
    if "properties" in request.query_params:
        names = tuple(p.strip() for p in request.query_params["properties"].split(",") if p)
        doc = project(doc, names)
    return json_response({doc_id: doc}, headers={"E-Tag": etag, "ETag": etag})


def _patched_fields(
    current: dict[str, Any], kind: str, data: Any, *, merge_tags: bool
) -> dict[str, Any]:
    """The writable fields after a PATCH: JSON Patch, or a partial object whose ``tags``
    replace the map or merge into it (the ``tags-patch`` variant)."""
    if kind == JSON_PATCH:
        if not isinstance(data, list):
            raise problem(400, "A JSON Patch body is an array of operations")
        try:
            _reject_read_only(written_roots(data))
            result = apply_patch(current, data)
        except PatchTestFailed as exc:
            raise problem(412, str(exc)) from None
        except PatchError as exc:
            raise problem(400, f"Invalid JSON Patch: {exc}") from None
        return _validated(DatasetBody, writable(result) if isinstance(result, dict) else result)
    changes = _validated(DatasetPatch, data)
    for key in ("name", "schemaRef"):
        if key in changes and changes[key] is None:
            raise problem(400, f"Field {key} cannot be removed")
    if merge_tags and changes.get("tags") is not None:
        changes["tags"] = {**(current.get("tags") or {}), **changes["tags"]}
    merged = {**writable(current), **changes}
    return {k: v for k, v in merged.items() if v is not None}


def _check_if_match(request: Request, doc: dict[str, Any]) -> None:
    expected = request.headers.get("if-match")
    if expected is not None and expected.strip() not in ("*", _etag(doc), doc["version"]):
        raise problem(412, f"If-Match {expected} does not match the current E-Tag {_etag(doc)}")


NewFields = Callable[[dict[str, Any]], dict[str, Any]]


def _update(
    request: Request, platform: Platform, caller: Caller, new_fields: NewFields
) -> Response:
    """PATCH and PUT: check If-Match, compute the new writable fields, save unless
    ``Pragma: validate-only`` (documented for POST and PUT; a PATCH saves nothing either)."""
    doc_id = request.path_params["id"]
    with platform.db.transaction() as conn:
        doc = platform.datasets.get(caller.tenant, doc_id)
        if doc is None:
            raise _not_found()
        _check_if_match(request, doc)
        fields = new_fields(doc)
        if _validate_only(request):
            return json_response([])
        fields.setdefault("tags", {})
        doc = platform.datasets.update(conn, caller, doc_id, doc, fields, platform.now_ms())
    return json_response(_ref(platform, doc_id), headers={"E-Tag": _etag(doc)})


async def patch_dataset(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    kind = require_content_type(request, (JSON, JSON_PATCH))
    data = await _json_body(request)
    merge_tags = platform.config.variants.tags_patch == "merge"
    return _update(
        request,
        platform,
        caller,
        lambda doc: _patched_fields(doc, kind, data, merge_tags=merge_tags),
    )


async def put_dataset(request: Request) -> Response:
    """catalog.yaml ``putDataset``: the body replaces every writable field."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    require_content_type(request, (JSON,))
    fields = _validated(DatasetBody, await _json_body(request))
    return _update(request, platform, caller, lambda doc: dict(fields))


async def delete_dataset(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    doc_id = request.path_params["id"]
    now = platform.now_ms()
    with platform.db.transaction() as conn:
        if not platform.datasets.delete(conn, caller.tenant, doc_id):
            raise _not_found()
        platform.jobs.fail_for_dataset(conn, caller.tenant, doc_id, now)
    return json_response(_ref(platform, doc_id))
