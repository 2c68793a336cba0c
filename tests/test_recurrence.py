"""Recurring exports and retries with backoff: (declaration, jobs, platform time) → plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from aep_reconciler.live import LiveState
from aep_reconciler.plan import Action, Change, FindingType, Origin, Plan
from aep_reconciler.planner.recurrence import retry_wait
from aep_reconciler.resources import EXPORT_JOB, Lifecycle
from aep_reconciler.schedule import parse_schedule
from tests.test_planner import add_job, applied, dataset, job, manifests, plan, record

HOUR = 3_600_000
ERROR = [{"code": "EXPORT-400", "msg": "dataset is not profile-ready"}]


def ms(text: str) -> int:
    return round(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def recurring(every: str | None, status: str = "SUCCEEDED", at: int = 0) -> tuple[Any, LiveState]:
    """The manifests and the live state after one apply whose job ended ``status`` at ``at``."""
    lifecycle = Lifecycle(every=parse_schedule(every) if every else None)
    ms_ = manifests(dataset(), job(lifecycle=lifecycle))
    live = applied(ms_, job_status=status)
    first = live.jobs[0]
    live.jobs[0] = first.__class__(
        first.id, first.dataset_id, first.fingerprint, status, at, first.request,
        tuple(e["msg"] for e in ERROR) if status == "FAILED" else (),
    )  # fmt: skip
    return ms_, live


def later_job(live: LiveState, job_id: str, status: str, at: int) -> None:
    """Another job of the same manifest and request, recorded in its inventory."""
    raw: dict[str, Any] = {**live.jobs[0].request, "id": job_id, "status": status}
    raw.update(creationTime=at, errors=ERROR if status == "FAILED" else [])
    add_job(live, raw)
    live.jobs.sort(key=lambda j: -j.creation_time)
    record(live, "vip", job_id)


def the_job(p: Plan) -> Change:
    (change,) = [c for c in p.changes if c.kind == EXPORT_JOB]
    return change


def test_a_recurring_export_waits_until_its_period_has_passed() -> None:
    ms_, live = recurring("P1D", at=10 * HOUR)
    live.now_ms = 33 * HOUR
    p = plan(ms_, live)
    change = the_job(p)
    assert change.action is Action.NOOP and not p.findings
    assert "last export 23 h ago; next export in 60 min" in change.reason


def test_a_recurring_export_past_its_period_is_stale_and_created_again() -> None:
    ms_, live = recurring("P1D", at=10 * HOUR)
    live.now_ms = 36 * HOUR
    p = plan(ms_, live)
    change = the_job(p)
    assert (change.action, change.origin) == (Action.CREATE, Origin.PLATFORM)
    assert change.reason == "last export 26 h ago, every 24 h"
    assert [(f.type, f.detail) for f in p.drift] == [
        (FindingType.STALE, "last export 26 h ago, every 24 h")
    ]
    old = live.jobs[0].id
    assert change.known_job_ids == (old,)  # the applier never takes the old job for the new one
    assert change.inventory[0].endswith(f"#{old}")  # the old job stays recorded as history


def test_a_one_shot_export_that_succeeded_stays_in_sync_for_ever() -> None:
    ms_, live = recurring(None, at=10 * HOUR)
    live.now_ms = 1000 * HOUR
    assert the_job(plan(ms_, live)).action is Action.NOOP


def test_a_running_job_of_a_due_export_is_waited_for() -> None:
    ms_, live = recurring("PT6H", at=10 * HOUR)
    later_job(live, "201", "PROCESSING", 17 * HOUR)
    live.now_ms = 30 * HOUR
    change = the_job(plan(ms_, live))
    assert (change.action, change.reason) == (Action.NOOP, "job 201 is PROCESSING")


@pytest.mark.parametrize(
    ("now", "action"),
    [("2024-01-02T01:59:00", Action.NOOP), ("2024-01-02T02:00:01", Action.CREATE)],
)
def test_a_cron_schedule_falls_due_at_its_next_time(now: str, action: Action) -> None:
    ms_, live = recurring("0 2 * * *", at=ms("2024-01-01T02:00:05"))
    live.now_ms = ms(now)
    change = the_job(plan(ms_, live))
    assert change.action is action
    if action is Action.NOOP:
        assert "next export in 60 s (at 2024-01-02T02:00:00Z), on cron '0 2 * * *'" in (
            change.reason
        )
    else:
        assert change.reason == "last export 24 h ago, on cron '0 2 * * *'"


def test_a_second_failure_in_a_row_waits_and_says_until_when() -> None:
    ms_, live = recurring(None, "FAILED", at=10 * HOUR)
    later_job(live, "201", "FAILED", 11 * HOUR)
    live.now_ms = 11 * HOUR + 60_000
    p = plan(ms_, live)
    change = the_job(p)
    assert change.action is Action.NOOP and change.id == "201"
    assert change.reason == (
        "latest job 201 FAILED 2 times in a row (dataset is not profile-ready); "
        "next try in 4 min (at 1970-01-01T11:05:00Z)"
    )
    (finding,) = p.drift
    assert finding.type is FindingType.FAILED and "next try in 4 min" in finding.detail
    live.now_ms = 11 * HOUR + 300_000
    again = the_job(plan(ms_, live))
    assert again.action is Action.CREATE and "FAILED 2 times in a row" in again.reason


def test_failures_after_a_recurring_success_are_retried_with_backoff_too() -> None:
    ms_, live = recurring("P1D", at=0)
    later_job(live, "201", "FAILED", 24 * HOUR)
    live.now_ms = 24 * HOUR + 1000
    assert the_job(plan(ms_, live)).action is Action.CREATE  # the first failure: at once
    later_job(live, "202", "FAILED", 24 * HOUR + 2000)
    later_job(live, "203", "FAILED", 24 * HOUR + 4000)
    live.now_ms = 24 * HOUR + 5 * 60_000
    change = the_job(plan(ms_, live))
    assert change.action is Action.NOOP and "FAILED 3 times in a row" in change.reason
    assert "next try in 5 min" in change.reason  # 10 min after the third failure


@pytest.mark.parametrize(
    ("failures", "every", "seconds"),
    [
        (1, None, 0),
        (2, None, 300),
        (3, None, 600),
        (4, None, 1200),
        (30, None, 86_400),  # a one-shot export: at most a day between tries
        (5, "PT10M", 600),  # a recurring one: at most its period
        (9, "0 */6 * * *", 6 * 3600),
    ],
)
def test_the_retry_wait_doubles_per_failure_up_to_a_cap(
    failures: int, every: str | None, seconds: float
) -> None:
    assert retry_wait(failures, parse_schedule(every) if every else None) == seconds


def test_a_first_failure_is_retried_although_the_platform_clock_reads_whole_seconds() -> None:
    """The platform's "now" comes from HTTP Date headers (whole seconds, rounded down): a job
    that failed 300 ms after the last full second is "in the future" of that now by 300 ms,
    and must still be retried at once."""
    ms_, live = recurring(None, "FAILED", at=10 * HOUR + 300)
    live.now_ms = 10 * HOUR
    change = the_job(plan(ms_, live))
    assert change.action is Action.CREATE
