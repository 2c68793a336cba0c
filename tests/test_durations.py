"""Durations: ISO 8601 and the short forms people type, and how plans say them."""

from __future__ import annotations

import pytest

from aep_reconciler.durations import describe, parse_duration, parse_iso


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("P1D", 86_400),
        ("PT30M", 1_800),
        ("PT1H30M", 5_400),
        ("P1DT12H", 129_600),
        ("P2W", 1_209_600),
        ("PT0.5S", 0.5),
        ("pt15m", 900),
        ("90s", 90),
        ("15m", 900),
        ("1h30m", 5_400),
        ("2d", 172_800),
        ("45", 45),
    ],
)
def test_durations_read_as_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("P1M", "no fixed length"),
        ("P1Y2M", "no fixed length"),
        ("P", "not an ISO 8601 duration"),
        ("PT", "not an ISO 8601 duration"),
        ("P1DT", "not an ISO 8601 duration"),
        ("soon", "not a duration"),
        ("1h30", "not a duration"),
        ("0", "not a positive duration"),
        ("P0D", "not a positive duration"),
        ("-5", "not a positive duration"),
    ],
)
def test_what_is_not_a_duration_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


def test_iso_only_reads_iso() -> None:
    assert parse_iso("PT1M") == 60  # M after T is minutes
    with pytest.raises(ValueError):
        parse_iso("90s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(45, "45 s"), (1_200, "20 min"), (93_600, "26 h"), (86_400, "24 h"), (777_600, "9 d")],
)
def test_plans_say_durations_in_one_unit(seconds: float, text: str) -> None:
    assert describe(seconds) == text
