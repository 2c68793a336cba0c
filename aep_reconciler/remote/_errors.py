"""Answers that are failures → ApiError / TransportError, with every secret scrubbed out."""

from __future__ import annotations

from typing import Any

import orjson

from aep_reconciler.diagnostics import ApiError, TransportError
from aep_reconciler.redaction import Redactor
from aep_reconciler.wire import MAX_DEPTH, nesting_within

_MAX_TEXT = 4000


def read_body(content: bytes, *, check_depth: bool = True) -> Any:
    """The answer's JSON, or its text when it is not JSON or absurdly nested (None when empty).

    orjson parses strictly (no NaN or Infinity, no number that overflows a double, valid
    UTF-8, at most 1,024 levels) and several times faster than the standard library, which
    matters when a plan reads 100,000 jobs. ``check_depth`` walks the whole value: worth it
    for error bodies, which are small and get walked again by the redactor; list pages skip it
    and the core checks the few records it computes with (aep_reconciler.live).
    """
    if not content:
        return None
    try:
        value = orjson.loads(content)
    except ValueError:  # orjson.JSONDecodeError
        return content.decode("utf-8", errors="replace")[:_MAX_TEXT]
    if check_depth and not nesting_within(value, MAX_DEPTH):
        return content.decode("utf-8", errors="replace")[:_MAX_TEXT]
    return value


def api_error(call: str, status: int, body: Any, redactor: Redactor) -> ApiError:
    """The platform answered ``status`` with ``body`` (any of the three AEP error families)."""
    return ApiError(call, status, redactor.value(body))


def transport_error(call: str, detail: str, redactor: Redactor) -> TransportError:
    """No usable answer; ``detail`` says what happened (connect error, timeout, bad JSON)."""
    return TransportError(call, 0, None, detail=redactor.text(detail))


def describe_exception(exc: BaseException) -> str:
    """A short "Type: message" for a transport failure (httpx messages name no secrets)."""
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
