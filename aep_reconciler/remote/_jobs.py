"""Typed profile export job calls (aep-api.md A.4): cursor paging, get, create, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from aep_reconciler.diagnostics import RangeUnsupported
from aep_reconciler.remote._base import Calls, segment
from aep_reconciler.remote._paging import (
    check_job,
    check_page_size,
    cursor_key,
    job_query,
    job_records,
    next_job_offset,
    normalise_job,
    record_key,
)
from aep_reconciler.wire import UPS_BASE

JOBS = f"{UPS_BASE}/export/jobs"


class JobCalls(Calls):
    async def iter_export_job_pages(
        self, *, status: str | None = None, page_size: int = 100
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page of jobs as it arrives (newest first), normalised, never one twice.

        The cursor comes from ``link.next`` (or ``page.pageOffset``); jobs created while we
        page sort before the cursor, so no job is skipped; ids already seen are dropped.
        ``iter_export_job_range`` reads the same and also tells the cursors met on the way
        (a later read can split the list at them).
        """
        async for page in self.iter_export_job_range(status=status, page_size=page_size):
            yield page

    async def iter_export_job_range(
        self,
        *,
        after: str | None = None,
        until: str | None = None,
        status: str | None = None,
        page_size: int = 100,
        cursors_out: list[str] | None = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of the jobs strictly after cursor ``after`` (from the newest when None) down
        to cursor ``until`` included (to the end when None).

        Cursors are ``{creationTimeMs}_{id}`` and creation times never change, so reads of
        adjacent ranges run at once and together see each job exactly once. A record that is
        not after ``after`` means the platform does not page that way: RangeUnsupported, and
        the caller reads the whole list in one cursor instead.
        """
        limit = check_page_size(page_size)
        low = cursor_key(until) if until is not None else None
        high = cursor_key(after) if after is not None else None
        if (until is not None and low is None) or (after is not None and high is None):
            raise RangeUnsupported(f"GET {JOBS}", 0, detail="cursors are not {creationTimeMs}_{id}")
        seen: set[str] = set()
        cursors: set[str] = set()
        offset = after
        while True:
            query = job_query(limit, status, offset)
            answer = await self._request("GET", JOBS, "GET /export/jobs", params=query)
            try:
                records = job_records(answer.body)
            except ValueError as exc:
                raise self._bad_answer(f"GET {JOBS}", str(exc)) from None
            page, done = _within(records, high, low)
            page = [normalise_job(r) for r in page if _first_sight(r, seen)]
            if page:
                yield page
            offset = next_job_offset(answer.body, len(records), limit)
            if done or offset is None:
                return
            if offset in cursors:
                raise self._bad_answer(f"GET {JOBS}", f"paging cursor {offset!r} repeats")
            cursors.add(offset)
            if cursors_out is not None:
                cursors_out.append(offset)

    async def list_export_jobs(
        self, *, status: str | None = None, page_size: int = 100
    ) -> list[dict[str, Any]]:
        """Every export job (optionally of one status), newest first."""
        jobs: list[dict[str, Any]] = []
        async for page in self.iter_export_job_pages(status=status, page_size=page_size):
            jobs.extend(page)
        return jobs

    async def create_export_job(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Start an export job and return it. Never retried unless the policy allows it."""
        answer = await self._json("POST", JOBS, "POST /export/jobs", dict(body))
        return self._job(f"POST {JOBS}", answer.body)

    async def get_export_job(self, job_id: int | str) -> dict[str, Any]:
        """One job; 404 (an ApiError) once it is unknown or cancelled."""
        path = f"{JOBS}/{segment(job_id)}"
        answer = await self._request("GET", path, "GET /export/jobs/{id}")
        return self._job(f"GET {path}", answer.body)

    async def cancel_export_job(self, job_id: int | str) -> None:
        """Cancel a job; the guide's 204 and the spec's 200 both count as done."""
        path = f"{JOBS}/{segment(job_id)}"
        await self._request("DELETE", path, "DELETE /export/jobs/{id}")

    def _job(self, call: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise self._bad_answer(call, "expected a job object")
        try:
            check_job(body)
        except ValueError as exc:
            raise self._bad_answer(call, str(exc)) from None
        return normalise_job(body)


def _within(
    records: list[dict[str, Any]], high: tuple[int, int] | None, low: tuple[int, int] | None
) -> tuple[list[dict[str, Any]], bool]:
    """The records of one range (keys in [low, high)), and whether the range ended here.

    A record without a cursor key, or one not after ``high``, means the platform does not
    page by cursor ranges: RangeUnsupported.
    """
    if high is None and low is None:
        return records, False
    kept: list[dict[str, Any]] = []
    for record in records:
        key = record_key(record)
        if key is None:
            why = f"job {record.get('id')!r} has no creationTime and numeric id"
            raise RangeUnsupported(f"GET {JOBS}", 0, detail=why)
        if high is not None and key >= high:
            why = "the platform answered jobs that are not after the cursor"
            raise RangeUnsupported(f"GET {JOBS}", 0, detail=why)
        if low is not None and key < low:
            return kept, True
        kept.append(record)
    return kept, False


def _first_sight(record: Mapping[str, Any], seen: set[str]) -> bool:
    """True the first time a job id is met (records without an id are always kept)."""
    job_id = record.get("id")
    if job_id is None:
        return True
    key = str(job_id)
    if key in seen:
        return False
    seen.add(key)
    return True
