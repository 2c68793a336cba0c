"""Command-line flags shared by commands: where, what a plan may destroy, how writes run."""

from __future__ import annotations

import argparse

from reconciler.diagnostics import ConfigError
from reconciler.pipeline import Context
from reconciler.plan import PlanOptions


def add_destroy_flags(parser: argparse.ArgumentParser) -> None:
    """Where to plan, and what the plan may destroy (plan, apply and destroy)."""
    parser.add_argument("path", nargs="?", help="manifest directory or file (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml (default: its defaultTarget)")
    parser.add_argument(
        "--allow-destroy",
        action="store_true",
        help="permit replacing or deleting datasets (their data is lost)",
    )
    parser.add_argument(
        "--max-deletes", type=int, metavar="N", help="refuse more than N destructive changes"
    )


def add_write_flags(parser: argparse.ArgumentParser) -> None:
    """How a command that writes runs: calls at once, and the wait for the stack's lease."""
    parser.add_argument(
        "--parallelism", type=int, default=10, metavar="N", help="calls at once (default 10)"
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another apply of the same stack (default: stop at once)",
    )


def check_write_flags(args: argparse.Namespace) -> None:
    if args.parallelism < 1:
        raise ConfigError("--parallelism must be at least 1")


def add_plan_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that shape a plan; apply takes the same ones."""
    add_destroy_flags(parser)
    parser.add_argument(
        "--prune", action="store_true", help="delete owned datasets whose manifest is gone"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let an empty manifest set remove what the stack owns",
    )
    parser.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="create a dataset even where one with its name and schema lost its ownership tags",
    )


def options_from(args: argparse.Namespace, ctx: Context) -> PlanOptions:
    return PlanOptions(
        allow_destroy=args.allow_destroy,
        prune=args.prune,
        allow_empty=args.allow_empty,
        max_deletes=args.max_deletes,
        allow_duplicate=args.allow_duplicate,
        ignore_fields=ctx.session.ignore_fields,
    )
