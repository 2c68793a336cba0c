"""Answers that are failures → ApiError / TransportError, with every secret scrubbed out."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.diagnostics import ApiError, TransportError

REDACTED = "[redacted]"
_MAX_TEXT = 4000
# No AEP answer nests deeper than a handful of levels; a deeper one is not a usable answer,
# and walking it (here or in redact) could exhaust the interpreter's recursion limit.
MAX_DEPTH = 64


def read_body(content: bytes) -> Any:
    """The answer's JSON, or its text when it is not JSON or absurdly nested (None when empty)."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    try:
        value = json.loads(text, parse_constant=_refuse, parse_float=_finite)
    except (ValueError, RecursionError):
        return text[:_MAX_TEXT]
    return value if nesting_within(value, MAX_DEPTH) else text[:_MAX_TEXT]


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


def nesting_within(value: Any, limit: int) -> bool:
    """True when lists and objects in ``value`` nest at most ``limit`` deep (no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True


def redact(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every occurrence of a secret replaced, in strings, keys and lists."""
    needles = sorted({s for s in secrets if s}, key=len, reverse=True)
    return _redact(value, needles) if needles else value


def _redact(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, REDACTED)
        return value
    if isinstance(value, Mapping):
        return {_redact(str(k), needles): _redact(v, needles) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, needles) for v in value]
    return value


def api_error(call: str, status: int, body: Any, secrets: Iterable[str]) -> ApiError:
    """The platform answered ``status`` with ``body`` (any of the three AEP error families)."""
    return ApiError(call, status, redact(body, list(secrets)))


def transport_error(call: str, detail: str, secrets: Iterable[str]) -> TransportError:
    """No usable answer; ``detail`` says what happened (connect error, timeout, bad JSON)."""
    return TransportError(call, 0, None, detail=redact(detail, list(secrets)))


def describe_exception(exc: BaseException) -> str:
    """A short "Type: message" for a transport failure (httpx messages name no secrets)."""
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
