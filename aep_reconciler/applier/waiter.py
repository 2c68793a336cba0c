"""Follow export jobs to the end (``apply --wait``), reporting progress as they move."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping

from aep_reconciler.diagnostics import ApiError
from aep_reconciler.ports import JobReading

FINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


async def follow(
    client: JobReading,
    job_ids: Iterable[str],
    *,
    on_progress: Callable[[Mapping[str, str]], None],
    cancelled: Iterable[str] = (),
    interval: float = 2.0,
    timeout: float = 3600.0,
) -> dict[str, str]:
    """Poll each job until it SUCCEEDED or FAILED; returns id -> final status.

    A job that disappears (cancelled by someone else) ends as ``GONE``; one still running
    at ``timeout`` ends as ``TIMEOUT``. The ``cancelled`` jobs (the apply asked for their
    cancel) are ``CANCELLED`` at once and never polled: the platform may keep listing a
    cancelled job, unmoving, for as long as it likes (the ``cancel`` variant).
    """
    statuses = {str(i): "CANCELLED" for i in cancelled}
    statuses.update({str(i): "NEW" for i in job_ids})
    deadline = time.monotonic() + timeout
    while True:
        pending = [i for i, s in statuses.items() if s not in FINAL | {"GONE"}]
        if not pending:
            break
        if time.monotonic() > deadline:
            for job_id in pending:
                statuses[job_id] = "TIMEOUT"
            break
        answers = await asyncio.gather(*(_status(client, i) for i in pending))
        changed = False
        for job_id, status in zip(pending, answers, strict=True):
            changed |= statuses[job_id] != status
            statuses[job_id] = status
        if changed:
            on_progress(dict(statuses))
        if any(s not in FINAL | {"GONE"} for s in statuses.values()):
            await asyncio.sleep(interval)
    on_progress(dict(statuses))
    return statuses


async def _status(client: JobReading, job_id: str) -> str:
    try:
        job = await client.get_export_job(job_id)
    except ApiError as exc:
        if exc.status == 404:
            return "GONE"
        raise
    return str(job.get("status", "NEW"))
