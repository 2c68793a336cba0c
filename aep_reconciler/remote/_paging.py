"""Paging of the two list endpoints: dataset offset pages and export-job cursor pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aep_reconciler.wire import job_dataset_id

MAX_PAGE_SIZE = 100
# Oldest first, so datasets created while we page land after the pages already read.
DATASET_ORDER = "asc:created"


def check_page_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def tags_param(tags: Mapping[str, str]) -> str:
    """``{"owner": "x", "env": "*"}`` → ``env:*,owner:x`` (sorted, so queries are stable)."""
    return ",".join(f"{key}:{tags[key]}" for key in sorted(tags))


def dataset_query(
    start: int,
    limit: int,
    *,
    properties: Sequence[str] | None = None,
    tags: Mapping[str, str] | None = None,
    name: str | None = None,
) -> dict[str, str]:
    query = {"orderBy": DATASET_ORDER, "start": str(start), "limit": str(limit)}
    if properties:
        query["properties"] = ",".join(properties)
    if tags:
        query["tags"] = tags_param(tags)
    if name is not None:
        query["name"] = name
    return query


# Fields the core computes with (sorts, compares, converts): their documented types are
# checked here, so a wrong type is an unusable answer rather than a crash further in.
DATASET_NUMBERS = ("created", "updated")
JOB_NUMBERS = ("creationTime", "updateTime")


def _check_types(what: str, record: Mapping[str, Any], numbers: Sequence[str]) -> None:
    for name in numbers:
        value = record.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{what}: {name} is a {type(value).__name__}, expected a number")


def datasets_of(body: Any) -> dict[str, dict[str, Any]]:
    """The id → dataset object of a Catalog answer, or ValueError when it has another shape."""
    if not isinstance(body, Mapping):
        raise ValueError("expected an object keyed by dataset id")
    found: dict[str, dict[str, Any]] = {}
    for key, value in body.items():
        if not isinstance(value, dict):
            raise ValueError(f"dataset {key!r} is not an object")
        _check_types(f"dataset {key!r}", value, DATASET_NUMBERS)
        found[str(key)] = value
    return found


def check_job_id(record: Mapping[str, Any]) -> None:
    job_id = record.get("id")
    if job_id is not None and (isinstance(job_id, bool) or not isinstance(job_id, int | str)):
        raise ValueError(f"a job id is a {type(job_id).__name__}, expected a number or string")


def check_job(record: Mapping[str, Any]) -> None:
    """ValueError unless the fields the core reads have their documented types."""
    check_job_id(record)
    what = f"job {record.get('id')!r}"
    _check_types(what, record, JOB_NUMBERS)
    for name, kind in (("status", str), ("errors", list)):
        value = record.get(name)
        if value is not None and not isinstance(value, kind):
            raise ValueError(
                f"{what}: {name} is a {type(value).__name__}, expected a {kind.__name__}"
            )


def job_query(limit: int, status: str | None, offset: str | None) -> dict[str, str]:
    query = {"limit": str(limit)}
    if status:
        query["status"] = status
    if offset is not None:
        query["offset"] = offset
    return query


def job_records(body: Any) -> list[dict[str, Any]]:
    """The job objects of a list answer, or ValueError when it has another shape."""
    records = body.get("records") if isinstance(body, Mapping) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("expected a list answer with a records array of objects")
    for record in records:  # what paging itself uses; the core checks the jobs it keeps
        check_job_id(record)
    return records


def cursor_key(cursor: str) -> tuple[int, int] | None:
    """``{creationTimeMs}_{id}`` as a sort key (larger = newer), or None if it is not one."""
    time_part, sep, id_part = cursor.partition("_")
    if not sep or not time_part.isdigit() or not id_part.isdigit():
        return None
    return int(time_part), int(id_part)


def record_key(record: Mapping[str, Any]) -> tuple[int, int] | None:
    """A job's place in the list order (creationTime desc, id desc) as a comparable key."""
    created, job_id = record.get("creationTime"), record.get("id")
    if isinstance(created, bool) or not isinstance(created, int):
        return None
    if isinstance(job_id, str) and job_id.isdigit():
        job_id = int(job_id)
    if isinstance(job_id, bool) or not isinstance(job_id, int):
        return None
    return created, job_id


def next_job_offset(body: Any, records_read: int, limit: int) -> str | None:
    """The cursor of the next page, or None when this page is the last.

    ``link.next`` decides when present (empty = last page); its ``offset`` is used, else
    ``page.pageOffset``. Without a link, a short page is the last one.
    """
    link = body.get("link") if isinstance(body, Mapping) else None
    page = body.get("page") if isinstance(body, Mapping) else None
    page_offset = page.get("pageOffset") if isinstance(page, Mapping) else None
    if isinstance(link, Mapping) and "next" in link:
        nxt = link.get("next")
        if not nxt:
            return None
        offsets = parse_qs(urlsplit(str(nxt)).query).get("offset")
        if offsets and offsets[0]:
            return offsets[0]
        return str(page_offset) if page_offset else None
    if records_read < limit or not page_offset:
        return None
    return str(page_offset)


def normalise_job(job: dict[str, Any]) -> dict[str, Any]:
    """``job`` with its destination spelling ``datasetId`` whichever spelling came in.

    List answers already spell ``datasetId``: those records are returned as they are (no
    copy), which keeps a 100,000-job read from allocating 100,000 new dicts.
    """
    dest = job.get("destination")
    if not isinstance(dest, dict) or ("dataSetId" not in dest and "datasetId" in dest):
        return job
    dataset_id = job_dataset_id(job)
    new_dest = {k: v for k, v in dest.items() if k != "dataSetId"}
    if dataset_id is not None:
        new_dest["datasetId"] = dataset_id
    return {**job, "destination": new_dest}
