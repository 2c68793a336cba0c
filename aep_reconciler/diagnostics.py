"""Diagnostics and the small exception tree every layer reports failures with.

Exceptions::

    ReconcilerError              anything a user can cause; cli.py turns it into exit 1
    ├── ManifestError            carries a list of Diagnostic (bad YAML, bad fields, ...)
    ├── ConfigError              bad target / environment / command-line combination
    ├── ApiError                 the platform answered an error (call, status, AEP body)
    │   ├── TransportError       no usable answer at all (connect error, timeout, bad JSON)
    │   └── RangeUnsupported     the job list does not page by cursor ranges (live state
    │                            catches it and reads the list through one cursor)
    └── PlanError                a saved plan is stale, already applied or refused

Anything else escaping to cli.py is a bug (exit 3).
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourceRange:
    """A position in a manifest file; line and col are 1-based."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the user's input, collected rather than thrown."""

    message: str
    source: SourceRange | None = None
    path: str = ""  # field path inside the document, e.g. "spec.filter.segments[0].status"
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        s = self.source or SourceRange("")
        return (s.file, s.line, s.col, self.path, self.message)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        field_ = f"{self.path}: " if self.path else ""
        return f"{where}{self.severity.value}: {field_}{self.message}"

    def to_json(self) -> dict[str, Any]:
        s = self.source
        return {
            "severity": self.severity.value,
            "file": s.file if s else None,
            "line": s.line if s else None,
            "col": s.col if s else None,
            "path": self.path,
            "message": self.message,
        }


def sorted_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diags, key=Diagnostic.sort_key)


class ReconcilerError(Exception):
    """Base of every failure a user can cause; never shown with a traceback."""


class ManifestError(ReconcilerError):
    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted_diagnostics(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class ConfigError(ReconcilerError):
    pass


class PlanError(ReconcilerError):
    pass


_MAX_BODY_CHARS = 2000


@dataclass
class ApiError(ReconcilerError):
    """The platform answered with an error.

    ``call`` is "METHOD /path" (no host, no query secrets), ``body`` is AEP's parsed error
    body (any of the three families) or its text. ``resource`` names what we were working
    on ("Dataset profile-export") when the caller knows it.
    """

    call: str
    status: int
    body: Any = None
    resource: str | None = None
    detail: str = field(default="")

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @property
    def aep_message(self) -> str:
        """The human part of AEP's error body, whichever family it belongs to."""
        return error_message(self.body)

    def __str__(self) -> str:
        who = f"{self.resource}: " if self.resource else ""
        status = f"HTTP {self.status}" if self.status else "no answer"
        body = self.body
        text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
        if len(text) > _MAX_BODY_CHARS:
            text = text[:_MAX_BODY_CHARS] + "…"
        extra = f" ({self.detail})" if self.detail else ""
        return f"{who}{self.call} failed: {status}{extra}: {text}"

    def with_resource(self, resource: str) -> ApiError:
        return type(self)(self.call, self.status, self.body, resource, self.detail)


class TransportError(ApiError):
    """No usable answer: connection refused or dropped, timeout, or an unreadable body."""


class RangeUnsupported(ApiError):
    """A cursor range of the job list could not be read as one: the cursors given are not
    ``{creationTimeMs}_{id}``, or the platform answered jobs outside the range."""


def error_message(body: Any) -> str:
    """Read the message out of a gateway, RFC 7807 or UPS error body."""
    if isinstance(body, Mapping):
        if "message" in body and "error_code" in body:
            return f"{body['error_code']}: {body['message']}"
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts = []
            for items in errors.values():
                if isinstance(items, list):
                    for item in items:
                        if isinstance(item, Mapping):
                            parts.append(f"{item.get('code', '')}: {item.get('message', '')}")
            if parts:
                return "; ".join(parts)
        if "detail" in body:
            return str(body.get("detail"))
        if "error_description" in body:
            return f"{body.get('error')}: {body.get('error_description')}"
        if "message" in body:
            return str(body["message"])
        if "title" in body:
            return str(body["title"])
    return "" if body is None else str(body)


def display_path(path: Path) -> str:
    """The path as users see it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)
