"""``DELETE /export/jobs/{id}`` under the ``cancel`` and ``cancel-answer`` variants.

Adobe: the guide and the Profile page answer 204 with an empty body; segmentation.yaml
(``cancelExportJob``, "Cancel or delete an export job") answers 200 with
``CancelExportJobResponse`` ("marked for cancelling"). What happens to the job next is not
documented (aep-api.md A.4), hence ``cancel=vanish|linger|fail``.
"""

from __future__ import annotations

from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock, Variants
from tests.emulator.emu_support import JOBS, Api

pytestmark = pytest.mark.anyio


async def listed_ids(api: Api) -> list[int]:
    return [r["id"] for r in (await api.call("GET", JOBS)).json()["records"]]


async def status(api: Api, job_id: int) -> Any:
    resp = await api.call("GET", f"{JOBS}/{job_id}")
    return resp.json()["status"] if resp.status_code == 200 else resp.status_code


def cancel(mode: str, answer: str = "204") -> Variants:
    return Variants.parse([f"cancel={mode}", f"cancel-answer={answer}"])


@pytest.mark.parametrize("variants", [cancel("vanish")])
async def test_vanish_removes_the_job_at_once(api: Api, clock: ManualClock) -> None:
    ds = await api.create_dataset()
    job, other = await api.create_job(ds), await api.create_job(ds)
    resp = await api.call("DELETE", f"{JOBS}/{job['id']}")
    assert (resp.status_code, resp.content) == (204, b"")
    assert await status(api, job["id"]) == 404
    clock.advance(100)
    assert await listed_ids(api) == [other["id"]]
    again = await api.call("DELETE", f"{JOBS}/{job['id']}")
    assert again.status_code == 404
    assert set(again.json()) == {"requestId", "errors", "type", "title", "status"}


@pytest.mark.parametrize("variants", [cancel("linger")])
async def test_linger_keeps_the_job_listed_and_still_then_removes_it(
    api: Api, clock: ManualClock
) -> None:
    ds = await api.create_dataset()
    running = await api.create_job(ds)
    clock.advance(3)
    queued = await api.create_job(ds)
    clock.advance(1)
    both = (running["id"], queued["id"])
    assert [await status(api, i) for i in both] == ["PROCESSING", "NEW"]
    for job_id in both:
        assert (await api.call("DELETE", f"{JOBS}/{job_id}")).status_code == 204
    clock.advance(59)  # past both jobs' scheduled ends, within the 60 s linger
    assert [await status(api, i) for i in both] == ["PROCESSING", "NEW"]
    assert sorted(await listed_ids(api)) == sorted(both)
    assert (await api.call("DELETE", f"{JOBS}/{running['id']}")).status_code == 204
    clock.advance(1)
    assert await listed_ids(api) == []
    assert await status(api, running["id"]) == 404


@pytest.mark.parametrize("variants", [cancel("fail")])
async def test_fail_ends_an_unfinished_job_failed_and_keeps_it_listed(
    api: Api, clock: ManualClock
) -> None:
    ds = await api.create_dataset()
    finished = await api.create_job(ds)
    clock.advance(10)
    running = await api.create_job(ds)
    for job in (running, finished):
        assert (await api.call("DELETE", f"{JOBS}/{job['id']}")).status_code == 204
    failed = (await api.call("GET", f"{JOBS}/{running['id']}")).json()
    assert failed["status"] == "FAILED" and failed["updateTime"] == clock.now_ms()
    assert "cancelled" in failed["errors"][0]["msg"]
    assert await status(api, finished["id"]) == "SUCCEEDED"
    clock.advance(3600)
    assert sorted(await listed_ids(api)) == sorted([running["id"], finished["id"]])
    assert await status(api, running["id"]) == "FAILED"


@pytest.mark.parametrize("variants", [cancel("vanish", "200"), cancel("linger", "200")])
async def test_the_200_answer_is_the_specs_cancel_response(api: Api) -> None:
    """segmentation.yaml ``CancelExportJobResponse``: ``{"status": true, "message": …}``."""
    ds = await api.create_dataset()
    job = await api.create_job(ds)
    resp = await api.call("DELETE", f"{JOBS}/{job['id']}")
    assert resp.status_code == 200
    assert resp.json() == {"status": True, "message": "Export job has been marked for cancelling"}
