"""argv → one command → ExitCode; the one handler that maps failures to exit codes.

The codes themselves (0 ok, 1 error, 2 changes or drift, 3 bug, 130 interrupted) are
``aep_reconciler.exit_codes.ExitCode``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence

from aep_reconciler import console
from aep_reconciler.commands._parser import build_parser
from aep_reconciler.diagnostics import ManifestError, ReconcilerError
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.redaction import REDACTOR, RedactingStream
from aep_reconciler.render import github


@contextlib.contextmanager
def redacted_output() -> Iterator[None]:
    """Everything the command prints passes the process-wide redactor, which learns the
    client secret and every token as the client gets them: a secret a server echoed back,
    in whatever spelling, never reaches the terminal or a CI log."""
    REDACTOR.clear()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(saved[0]), RedactingStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = saved


def _catch_interrupts() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt (asyncio.run relies on that handler), so
    an apply releases its lease on the way out; the entry point exited at once before."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _title(args: argparse.Namespace) -> str:
    return f"reconciler {getattr(args, 'command', '')}".strip()


def _annotate(args: argparse.Namespace, commands: list[str]) -> None:
    """Under GitHub Actions (or --format github), failures also become annotations."""
    if github.enabled(getattr(args, "format", None), os.environ):
        for line in commands:
            print(line, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> ExitCode:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    with console.attached(verbosity=args.verbose, no_color=args.no_color), redacted_output():
        return _run(args)


def _run(args: argparse.Namespace) -> ExitCode:
    try:
        _catch_interrupts()
        return ExitCode(args.run(args))
    except KeyboardInterrupt:
        print("reconciler: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except ManifestError as exc:
        for diag in exc.diagnostics:
            print(diag, file=sys.stderr)
        _annotate(args, [github.diagnostic(d, _title(args)) for d in exc.diagnostics])
        return ExitCode.ERROR
    except ReconcilerError as exc:
        print(f"reconciler: error: {exc}", file=sys.stderr)
        _annotate(args, [github.command(str(exc), title=_title(args))])
        return ExitCode.ERROR
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes an exit code
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(
            f"reconciler: internal error ({type(exc).__name__}); this is a bug, please report it "
            "with the output above",
            file=sys.stderr,
        )
        return ExitCode.BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
