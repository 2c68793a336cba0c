"""apply --wait: jobs are followed to SUCCEEDED or FAILED, with progress as they move."""

from __future__ import annotations

import asyncio
from typing import Any

from aep_reconciler.applier.waiter import follow
from aep_reconciler.diagnostics import ApiError
from aep_reconciler.render.events import progress_line


class Reader:
    """Answers each job's statuses in turn; ``None`` means the job is gone (404)."""

    def __init__(self, script: dict[str, list[str | None]]) -> None:
        self.script = script

    async def get_export_job(self, job_id: int | str) -> dict[str, Any]:
        steps = self.script[str(job_id)]
        status = steps.pop(0) if len(steps) > 1 else steps[0]
        if status is None:
            raise ApiError(f"GET /export/jobs/{job_id}", 404, {"title": "NotFound"})
        return {"id": job_id, "status": status}


def test_jobs_are_followed_to_their_final_status_with_progress() -> None:
    reader = Reader(
        {
            "1": ["NEW", "PROCESSING", "SUCCEEDED"],
            "2": ["NEW", "FAILED"],
            "3": [None],
        }
    )
    seen: list[str] = []
    finals = asyncio.run(
        follow(
            reader, ["1", "2", "3"], on_progress=lambda s: seen.append(progress_line(s)), interval=0
        )
    )
    assert finals == {"1": "SUCCEEDED", "2": "FAILED", "3": "GONE"}
    assert seen[-1] == "export jobs: 1 failed, 1 gone, 1 succeeded"
    assert len(seen) >= 3  # one line per move, then the final one


def test_a_job_still_running_at_the_timeout_is_reported_as_such() -> None:
    reader = Reader({"1": ["PROCESSING"]})
    finals = asyncio.run(
        follow(reader, ["1"], on_progress=lambda s: None, interval=0, timeout=0.05)
    )
    assert finals == {"1": "TIMEOUT"}
