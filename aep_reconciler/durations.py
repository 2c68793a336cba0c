"""Durations as people write them, ISO 8601 (``PT30M``, ``P1D``) or short (``90s``, ``1h30m``).

Years and months are refused: they have no fixed length, and a schedule that means "the
first of each month" is a cron expression, not a duration.
"""

from __future__ import annotations

import re

_UNITS = {"W": 604_800, "D": 86_400, "H": 3_600, "M": 60, "S": 1}
_NUMBER = r"\d+(?:[.,]\d+)?"
_ISO = re.compile(
    rf"^P(?:(?P<W>{_NUMBER})W)?(?:(?P<D>{_NUMBER})D)?"
    rf"(?:T(?=\d)(?:(?P<H>{_NUMBER})H)?(?:(?P<M>{_NUMBER})M)?(?:(?P<S>{_NUMBER})S)?)?$"
)
_CALENDAR = re.compile(rf"^P(?:{_NUMBER}Y|(?:{_NUMBER}Y)?{_NUMBER}M)")  # M before T: months
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_SHORT = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}


def parse_iso(text: str) -> float:
    """Seconds in an ISO 8601 duration (``P1D``, ``PT1H30M``, ``P2W``); ValueError if not one."""
    upper = text.strip().upper()
    match = _ISO.match(upper)
    if match is None or upper == "P":
        if _CALENDAR.match(upper):
            raise ValueError(
                f"{text!r}: years and months have no fixed length; write days (P30D) "
                "or use a cron expression"
            )
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as PT30M or P1D")
    seconds = sum(
        float(value.replace(",", ".")) * _UNITS[unit]
        for unit, value in match.groupdict().items()
        if value
    )
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ISO 8601, a short form (``90s``, ``15m``, ``1h30m``) or bare seconds."""
    raw = text.strip()
    if raw.upper().startswith("P"):
        return parse_iso(raw)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = _short(raw)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


def _short(raw: str) -> float:
    parts = _SHORT_PART.findall(raw.lower())
    if not parts or "".join(n + u for n, u in parts) != raw.lower():
        raise ValueError(
            f"{raw!r} is not a duration: write 90s, 15m, 2h, 1d, or ISO 8601 such as PT15M"
        )
    return sum(float(n) * _SHORT[u] for n, u in parts)


def describe(seconds: float) -> str:
    """A duration as a plan line says it: ``45 s``, ``20 min``, ``26 h``, ``9 d``."""
    if seconds < 120:
        return f"{round(seconds)} s"
    if seconds < 2 * 3_600:
        return f"{round(seconds / 60)} min"
    if seconds < 4 * 86_400:
        return f"{round(seconds / 3_600)} h"
    return f"{round(seconds / 86_400)} d"
