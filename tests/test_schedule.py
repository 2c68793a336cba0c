"""lifecycle.every: ISO 8601 durations and 5-field cron expressions, and when each falls due."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aep_reconciler.schedule import parse_schedule


def ms(text: str) -> int:
    return round(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    ("text", "period", "described"),
    [
        ("P1D", 86_400, "every 24 h"),
        ("PT6H", 21_600, "every 6 h"),
        ("P1W", 604_800, "every 7 d"),
        ("0 2 * * *", 86_400, "on cron '0 2 * * *'"),
        ("*/15  *  * * *", 900, "on cron '*/15 * * * *'"),
    ],
)
def test_a_schedule_has_a_period_and_says_itself(text: str, period: float, described: str) -> None:
    schedule = parse_schedule(text)
    assert (schedule.period_s, schedule.describe()) == (period, described)


def test_a_duration_falls_due_that_long_after_the_last_export() -> None:
    assert parse_schedule("PT6H").due_ms(1000) == 1000 + 6 * 3_600_000


def test_a_cron_line_falls_due_at_its_next_time_after_the_last_export() -> None:
    nightly = parse_schedule("0 2 * * *")
    assert nightly.due_ms(ms("2024-01-01T02:00:00")) == ms("2024-01-02T02:00:00")
    assert nightly.due_ms(ms("2024-01-01T23:10:00")) == ms("2024-01-02T02:00:00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nightly", "neither an ISO 8601 duration"),
        ("0 2 * *", "neither an ISO 8601 duration"),
        ("0 0 2 * * *", "neither an ISO 8601 duration"),  # seconds field: not 5-field cron
        ("0 25 * * *", "not a valid cron expression: Bad hour"),
        ("P1M", "years and months have no fixed length"),
        ("PT0S", "not a positive duration"),
    ],
)
def test_anything_else_is_refused_with_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_schedule(text)
