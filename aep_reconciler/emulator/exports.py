"""Profile export job routes (A.4, B.4–B.7): create, list with a cursor, get, cancel."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from aep_reconciler.emulator.datasets import is_profile_ready
from aep_reconciler.emulator.gateway import Caller, require_content_type
from aep_reconciler.emulator.job_view import JobView, Spelling
from aep_reconciler.emulator.lifecycle import ERROR_NOT_PROFILE_READY, new_result
from aep_reconciler.emulator.limits import json_value
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.profiles.requests import unknown_merge_policy
from aep_reconciler.emulator.responses import HttpError, json_response, ups_error
from aep_reconciler.wire import JOB_STATUSES, UPS_BASE, ExportJobRequest, decimal

DEFAULT_LIMIT = 100
BAD_REQUEST = "0100000001"
NOT_FOUND = "0100000404"
# segmentation.yaml CancelExportJobResponse (the cancel-answer=200 variant)
CANCELLED_ANSWER = {"status": True, "message": "Export job has been marked for cancelling"}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _bad(*messages: str) -> HttpError:
    return ups_error(400, BAD_REQUEST, list(messages))


def _error_path(loc: tuple[Any, ...]) -> str:
    return ".".join("schema" if p == "schema_" else str(p) for p in loc)


async def _request_body(request: Request) -> dict[str, Any]:
    try:
        data = json_value(await request.body())
    except ValueError as exc:
        raise _bad(f"The request body is not valid JSON: {exc}") from None
    try:
        parsed = ExportJobRequest.model_validate(data)
    except ValidationError as exc:
        raise _bad(*(f"{_error_path(e['loc'])}: {e['msg']}" for e in exc.errors())) from None
    body: dict[str, Any] = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
    return body


def _view(platform: Platform, spelling: Spelling, *, create: bool = False) -> JobView:
    return JobView(spelling, platform.config.variants.job_echo, create)


def _resolve(platform: Platform, caller: Caller, request: dict[str, Any]) -> tuple[Any, Any]:
    """(the resolved merge policy, the error the job will fail with, or None)."""
    dataset = platform.datasets.get(caller.tenant, request["destination"]["datasetId"])
    if dataset is None:
        raise _bad(
            f"destination.datasetId: dataset {request['destination']['datasetId']}"
            " does not exist in this sandbox"
        )
    requested = request.get("mergePolicy")
    policy = platform.merge_policies.resolve(
        caller.tenant, requested, request["schema"]["name"], platform.now_ms()
    )
    if not is_profile_ready(dataset):
        return policy, ERROR_NOT_PROFILE_READY
    if policy is None:
        return policy, unknown_merge_policy(str((requested or {}).get("id")), caller.sandbox)
    return policy, None


async def create_job(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    require_content_type(request, ("application/json",))
    request_body = await _request_body(request)
    platform.profiles.ensure(caller.tenant)  # its audiences and seeded merge policies
    policy, error = _resolve(platform, caller, request_body)
    now = platform.now_ms()
    start = now + round(platform.config.job_start_after * 1000)
    end = start + round(platform.config.job_run_for * 1000)
    body = {
        "jobType": "BATCH",
        **request_body,
        "imsOrgId": caller.org_id,
        "profileInstanceId": request.headers.get("x-profile-instance-id") or "ups",
        "creationTime": now,
        "requestId": str(uuid.uuid4()),
    }
    result = new_result(request_body, policy, error)
    outcome = "FAILED" if error else "SUCCEEDED"
    with platform.db.transaction() as conn:
        job_id = platform.jobs.insert(conn, caller.tenant, body, result, outcome, (now, start, end))
        if outcome == "SUCCEEDED":  # it succeeds once its export is written (profiles/runner)
            platform.exports.claims.add(conn, caller.tenant, job_id)
    job = platform.jobs.get(caller.tenant, job_id, _view(platform, "dataSetId", create=True))
    location = f"{UPS_BASE}/export/jobs/{job_id}"
    return json_response(job, headers={"X-Location": location, "Location": location})


def _job_id(request: Request) -> int:
    raw = request.path_params["id"]
    job_id = decimal(raw)
    if job_id is None or job_id < 0:
        raise ups_error(404, NOT_FOUND, [f"Export job {raw[:40]} not found"])
    return job_id


async def get_job(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    job_id = _job_id(request)
    platform.advance(caller.tenant)
    job = platform.jobs.get(caller.tenant, job_id, _view(platform, "dataSetId"))
    if job is None:
        raise ups_error(404, NOT_FOUND, [f"Export job {job_id} not found"])
    return json_response(job)


async def delete_job(request: Request) -> Response:
    """Cancel a job as the ``cancel`` variant says; answer as ``cancel-answer`` says."""
    platform = _platform(request)
    caller = platform.authenticate(request)
    job_id = _job_id(request)
    variants, now = platform.config.variants, platform.now_ms()
    vanish = now + round(platform.config.cancel_linger_s * 1000)
    with platform.db.transaction() as conn:
        if not platform.jobs.cancel(conn, caller.tenant, job_id, variants.cancel, (now, vanish)):
            raise ups_error(404, NOT_FOUND, [f"Export job {job_id} not found"])
        platform.exports.claims.finish(conn, caller.tenant, job_id)  # its export never runs
    if variants.cancel_answer == "204":
        return Response(status_code=204)
    return json_response(CANCELLED_ANSWER)


def _limit(raw: str | None, maximum: int) -> int:
    if raw is None:
        return min(DEFAULT_LIMIT, maximum)
    value = decimal(raw.strip())
    if value is None or value < 1:
        raise _bad(f"limit must be a positive integer, got {raw[:40]!r}")
    return min(value, maximum)


def _offset(raw: str | None) -> tuple[int, int] | int | None:
    """The spec's cursor ``{creationTimeMs}_{id}``, or the guide's integer offset (``offset=2``)."""
    if raw is None or raw == "":
        return None
    count = decimal(raw)
    if count is not None and count >= 0:
        return count
    time_part, _, id_part = raw.partition("_")
    created, job_id = decimal(time_part), decimal(id_part)
    if created is None or job_id is None or min(created, job_id) < 0:
        raise _bad(
            f"offset must be a cursor such as 1538615973895_123 or a number of jobs, "
            f"got {raw[:40]!r}"
        )
    return created, job_id


def _statuses(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    values = tuple(s.strip().upper() for s in raw.split(",") if s.strip())
    bad = [s for s in values if s not in JOB_STATUSES]
    if bad:
        raise _bad(f"status must be one of {', '.join(JOB_STATUSES)}, got {bad[0]!r}")
    return values


async def list_jobs(request: Request) -> Response:
    platform = _platform(request)
    caller = platform.authenticate(request)
    params = request.query_params
    unknown = sorted(set(params) - {"limit", "offset", "status"})
    if unknown:
        raise _bad(
            f"unsupported query parameter {unknown[0]!r}; this list takes limit, offset and status"
        )
    limit = _limit(params.get("limit"), platform.config.max_page_size)
    after = _offset(params.get("offset"))
    statuses = _statuses(params.get("status"))
    platform.advance(caller.tenant)
    records, more = platform.jobs.page(
        caller.tenant, limit, after, statuses, _view(platform, "datasetId")
    )
    last = f"{records[-1]['creationTime']}_{records[-1]['id']}" if records else ""
    status_param = f"&status={','.join(statuses)}" if statuses else ""
    page = {
        "sortField": "createdTime",
        "sort": "desc",
        "pageOffset": last,
        "pageSize": len(records),
    }
    next_link = f"/export/jobs/?limit={limit}&offset={last}{status_param}" if more else ""
    return json_response({"records": records, "page": page, "link": {"next": next_link}})
