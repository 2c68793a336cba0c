"""The seam between typed calls and the HTTP machinery: an answer and the request contract."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aep_reconciler.diagnostics import TransportError
from aep_reconciler.redaction import Redactor
from aep_reconciler.remote._errors import transport_error


@dataclass(frozen=True)
class Answer:
    """A successful (2xx) answer, its body already read (JSON, text or None)."""

    status: int
    headers: Mapping[str, str]
    body: Any


def segment(value: int | str) -> str:
    """One path segment; quoting keeps an id such as ``../x`` inside its collection."""
    return quote(str(value), safe="")


class Calls(abc.ABC):
    """What typed calls need from the client: send a request, and know what to redact."""

    @abc.abstractmethod
    async def _request(self, method: str, path: str, name: str, **kw: Any) -> Answer:
        """Send ``method path`` (counted under ``name``) and return its 2xx answer."""

    @abc.abstractmethod
    async def _json(self, method: str, path: str, name: str, body: Any, **kw: Any) -> Answer:
        """Like ``_request`` with ``body`` sent as JSON (``content_type`` may override)."""

    @property
    @abc.abstractmethod
    def _redactor(self) -> Redactor:
        """Every secret and token that must never appear in an error, in any spelling."""

    def _bad_answer(self, call: str, detail: str) -> TransportError:
        """A 2xx answer whose body is not the documented shape: no usable answer."""
        return transport_error(call, f"unexpected answer: {detail}", self._redactor)
