"""Failures as GitHub Actions workflow commands, so a failed step shows where and why.

``::error file=F,line=L,col=C,title=T::message`` becomes an annotation on the file in the
pull request and in the run's summary. Property values escape ``%``, CR, LF, ``:`` and
``,``; the message escapes ``%``, CR and LF (the runner's own rules).
"""

from __future__ import annotations

from collections.abc import Mapping

from aep_reconciler.diagnostics import Diagnostic, Severity

GITHUB_FORMAT = "github"


def enabled(fmt: str | None, env: Mapping[str, str]) -> bool:
    """``--format github``, or running as a GitHub Actions step (GITHUB_ACTIONS=true)."""
    return fmt == GITHUB_FORMAT or env.get("GITHUB_ACTIONS", "").lower() == "true"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def command(
    message: str,
    *,
    file: str | None = None,
    line: int = 0,
    col: int = 0,
    title: str | None = None,
    level: str = "error",
) -> str:
    """One workflow command line (``level`` is error, warning or notice)."""
    props = []
    if file:
        props.append(f"file={_property(file)}")
        if line > 0:
            props.append(f"line={line}")
            if col > 0:
                props.append(f"col={col}")
    if title:
        props.append(f"title={_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{_data(message)}"


def diagnostic(diag: Diagnostic, title: str = "reconciler") -> str:
    """A manifest diagnostic as an annotation on its file, line and column."""
    source = diag.source
    message = f"{diag.path}: {diag.message}" if diag.path else diag.message
    level = "warning" if diag.severity is Severity.WARNING else "error"
    if source is None:
        return command(message, title=title, level=level)
    return command(
        message, file=source.file, line=source.line, col=source.col, title=title, level=level
    )
