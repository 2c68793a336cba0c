"""The process's console: output that survives a closed pipe or a narrow encoding, colour
and log level from flags and the environment.

- ``reconciler plan | head`` closes stdout early: later writes are dropped quietly and the
  command finishes (an apply is never cut short by its reader going away).
- A stdout that cannot encode a character (``PYTHONIOENCODING=ascii``, a legacy console)
  prints it as a backslash escape instead of failing; JSON output stays valid JSON.
- ``--no-color`` sets ``NO_COLOR`` (no-color.org), which renderers and child processes read.
- ``-v`` / ``RECONCILER_LOG`` send the ``reconciler`` loggers (retries, rate-limit waits,
  lease waits; with ``-vv`` every call) to stderr.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

LOG_ENV = "RECONCILER_LOG"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


class QuietPipe(io.TextIOBase):
    """A text stream that stops writing, silently, once its reader has gone (EPIPE)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """Point the file descriptor at /dev/null, so the flush at exit cannot fail again."""
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass  # no descriptor (a test's capture): nothing will flush it at exit

    def isatty(self) -> bool:
        return not self.broken and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _forgiving(stream: TextIO) -> None:
    """Unencodable characters become escapes (``\\u2192``) rather than an exception."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="backslashreplace")


def log_level(verbosity: int, env: Mapping[str, str]) -> int:
    """The more talkative of ``-v`` (info), ``-vv`` (debug) and ``RECONCILER_LOG``."""
    from_flag = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    from_env = LEVELS.get(env.get(LOG_ENV, "").strip().lower(), logging.WARNING)
    return min(from_flag, from_env)


class _Stderr(logging.Handler):
    """Log records to whatever ``sys.stderr`` is when they are emitted."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)


def _configure_logging(verbosity: int) -> None:
    logger = logging.getLogger("aep_reconciler")
    logger.setLevel(log_level(verbosity, os.environ))
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("reconciler: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


@contextlib.contextmanager
def attached(*, verbosity: int = 0, no_color: bool = False) -> Iterator[None]:
    """For the duration of one command: safe stdout/stderr, colour and logging choices."""
    saved = sys.stdout, sys.stderr, os.environ.get("NO_COLOR")
    for stream in (sys.stdout, sys.stderr):
        _forgiving(stream)
    sys.stdout = QuietPipe(sys.stdout)
    sys.stderr = QuietPipe(sys.stderr)
    if no_color:
        os.environ["NO_COLOR"] = "1"
    _configure_logging(verbosity)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved[0], saved[1]
        if no_color and saved[2] is None:
            os.environ.pop("NO_COLOR", None)
