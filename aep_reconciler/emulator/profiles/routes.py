"""Read routes of the profile store: segment definitions, Catalog batches, Data Access files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.profiles.audiences import SORTABLE
from aep_reconciler.emulator.profiles.batches import Batch, catalog_view
from aep_reconciler.emulator.profiles.preview import preview_rows
from aep_reconciler.emulator.responses import HttpError, json_response, problem, ups_error

DEFAULT_LIMIT = 100
SEGMENT_PARAMS = frozenset({"start", "limit", "page", "sort"})
BATCH_PARAMS = frozenset(
    {"start", "limit", "orderBy", "dataSet", "status", "createdAfter", "createdBefore"}
)
PAGE_PARAMS = frozenset({"start", "limit"})


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _number(params: Mapping[str, str], name: str, default: int, low: int, bad: Any) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or int(raw) < low:
        raise bad(f"{name} must be an integer of at least {low}, got {raw!r}")
    return int(raw)


def _only(params: Mapping[str, str], allowed: frozenset[str], bad: Any) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise bad(f"Unsupported query parameter(s): {', '.join(unknown)}")


def _ups_bad(message: str) -> HttpError:
    return ups_error(400, "0100000001", [message])


def _sort(raw: str | None) -> tuple[str, bool]:
    if raw is None:
        return "creationTime", True
    field, _, way = raw.partition(":")
    if field not in SORTABLE or way not in ("", "asc", "desc"):
        raise _ups_bad(f"sort must be one of {', '.join(SORTABLE)} with :asc or :desc")
    return field, way != "asc"


async def list_definitions(request: Request) -> Response:
    """``GET /segment/definitions``: Adobe's ``{segments, page, link}`` with offset paging."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    params = request.query_params
    _only(params, SEGMENT_PARAMS, _ups_bad)
    limit = min(_number(params, "limit", DEFAULT_LIMIT, 1, _ups_bad), platform.config.max_page_size)
    page_no = _number(params, "page", 0, 0, _ups_bad)
    start = _number(params, "start", page_no * limit, 0, _ups_bad)
    field, desc = _sort(params.get("sort"))
    platform.profiles.ensure(caller.tenant)
    total = platform.audiences.count(caller.tenant)
    segments = platform.audiences.page(caller.tenant, start, limit, (field, desc))
    way = "desc" if desc else "asc"
    link: dict[str, str] = {}
    if start + len(segments) < total:
        link["next"] = (
            f"/segment/definitions?start={start + len(segments)}&limit={limit}&sort={field}:{way}"
        )
    page = {
        "totalCount": total,
        "totalPages": -(-total // limit),
        "sortField": field,
        "sort": way,
        "pageSize": len(segments),
        "limit": limit,
    }
    return json_response({"segments": segments, "page": page, "link": link})


async def get_definition(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    platform.profiles.ensure(caller.tenant)
    found = platform.audiences.get(caller.tenant, request.path_params["id"])
    if found is None:
        message = f"Segment definition {request.path_params['id']} not found"
        raise ups_error(404, "0100000404", [message])
    return json_response(found)


def _batch_or_404(platform: Platform, tenant: str, batch_id: str) -> Batch:
    batch = platform.batches.get(tenant, batch_id)
    if batch is None:
        raise problem(404, f"Batch {batch_id} not found.")
    return batch


async def get_batch(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    platform.advance(caller.tenant)
    batch = _batch_or_404(platform, caller.tenant, request.path_params["id"])
    return json_response({batch.id: catalog_view(batch, caller.org_id, caller.client_id)})


def _problem_bad(message: str) -> HttpError:
    return problem(400, message)


def _batch_filters(params: Mapping[str, str]) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if "dataSet" in params:
        filters["dataset_id"] = params["dataSet"]
    if "status" in params:
        filters["status"] = params["status"]
    for name, key in (("createdAfter", "created_after"), ("createdBefore", "created_before")):
        if name in params:
            filters[key] = _number(params, name, 0, 0, _problem_bad)
    return filters


async def list_batches(request: Request) -> Response:
    """``GET /batches``: an object keyed by batch id, like every Catalog list."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    params = request.query_params
    _only(params, BATCH_PARAMS, _problem_bad)
    order = params.get("orderBy", "asc:created")
    if order not in ("asc:created", "desc:created", "created"):
        raise problem(400, "orderBy must be asc:created or desc:created")
    platform.advance(caller.tenant)
    rows = platform.batches.page(
        caller.tenant,
        start=_number(params, "start", 0, 0, _problem_bad),
        limit=min(_number(params, "limit", 20, 1, _problem_bad), 100),
        descending=order == "desc:created",
        filters=_batch_filters(params),
    )
    views = {b.id: catalog_view(b, caller.org_id, caller.client_id) for b in rows}
    return json_response(views)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def batch_files(request: Request) -> Response:
    """``GET /export/batches/{id}/files``: the batch's one dataset file (Data Access API)."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    params = request.query_params
    _only(params, PAGE_PARAMS, _problem_bad)
    limit = _number(params, "limit", DEFAULT_LIMIT, 1, _problem_bad)
    start = _number(params, "start", 0, 0, _problem_bad)
    platform.advance(caller.tenant)
    batch = _batch_or_404(platform, caller.tenant, request.path_params["id"])
    dataset = platform.datasets.get(caller.tenant, batch.dataset_id) or {}
    entry = {
        "dataSetFileId": batch.file_id,
        "dataSetViewId": dataset.get("viewId", ""),
        "version": "1.0.0",
        "created": str(batch.created),
        "updated": str(batch.updated),
        "isValid": batch.status == "success",
        "_links": {
            "self": {"href": f"{_base(request)}/data/foundation/export/files/{batch.file_id}"}
        },
    }
    data = [entry][start : start + limit]
    return json_response({"data": data, "_page": {"limit": limit, "count": len(data)}})


async def file_or_listing(request: Request) -> Response:
    """``GET /export/files/{id}``: the parts of a dataset file, or one part with ``?path=``."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    params = request.query_params
    _only(params, PAGE_PARAMS | {"path"}, _problem_bad)
    file_id = request.path_params["id"]
    batch = platform.batches.by_file(caller.tenant, file_id)
    if batch is None:
        raise problem(404, f"File {file_id} not found.")
    path = params.get("path")
    if path is not None:
        names = {name for name, _ in batch.files}
        if path not in names:
            raise problem(404, f"File {file_id} has no part {path!r}.")
        return FileResponse(Path(batch.folder) / path, media_type="application/octet-stream")
    limit = _number(params, "limit", DEFAULT_LIMIT, 1, _problem_bad)
    start = _number(params, "start", 0, 0, _problem_bad)
    href = f"{_base(request)}/data/foundation/export/files/{file_id}"
    data = [
        {"name": name, "length": str(length), "_links": {"self": {"href": f"{href}?path={name}"}}}
        for name, length in batch.files
    ][start : start + limit]
    return json_response({"data": data, "_page": {"limit": limit, "count": len(data)}})


async def preview(request: Request) -> Response:
    """``GET /export/datasets/{id}/preview``: up to 100 rows of the dataset's latest batch.

    The latest batch is the one Catalog names as the dataset's ``lastBatchId``: the batch of
    the job that finished last, which need not be the one that started last, so a client can
    tell whose rows it is shown."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    dataset_id = request.path_params["id"]
    platform.advance(caller.tenant)
    dataset = platform.datasets.get(caller.tenant, dataset_id)
    if dataset is None:
        raise problem(404, "DataSet not found.")
    last = dataset.get("lastBatchId")
    batch = platform.batches.get(caller.tenant, str(last)) if last else None
    rows = [] if batch is None else preview_rows(batch, 100)
    return json_response({"data": rows})
