"""argv → one command → exit code; the only place that knows about argv and exit codes.

Exit codes: 0 success / no changes, 1 user error (bad manifest, API failure, refused
plan), 2 changes or drift present (with --detailed-exitcode, and always for ``drift``),
3 a bug in reconciler, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from reconciler import __version__
from reconciler.diagnostics import ManifestError, ReconcilerError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130

# Each module in reconciler.commands defines register(subparsers); the parser it adds sets
# ``run`` (args -> exit code). Listed here so the order of --help is deliberate. (``import_``
# registers the ``import`` command: ``import`` cannot name a module.)
COMMANDS = ("validate", "schema", "plan", "apply", "drift", "import_", "emulator")


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, never 2: in CI, 2 means "changes present"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reconciler",
        description="GitOps for Adobe Experience Platform datasets and profile export jobs.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )
    for name in COMMANDS:
        module = importlib.import_module(f"reconciler.commands.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:
        print("reconciler: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ManifestError as exc:
        for diag in exc.diagnostics:
            print(diag, file=sys.stderr)
        return EXIT_ERROR
    except ReconcilerError as exc:
        print(f"reconciler: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes an exit code
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(
            f"reconciler: internal error ({type(exc).__name__}); this is a bug, please report it "
            "with the output above",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
