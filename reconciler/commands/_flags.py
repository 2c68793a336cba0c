"""Command-line flags that shape a plan, shared by plan, apply and drift."""

from __future__ import annotations

import argparse

from reconciler.pipeline import Context
from reconciler.plan import PlanOptions


def add_plan_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that shape a plan; apply takes the same ones."""
    parser.add_argument("path", nargs="?", help="manifest directory or file (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml (default: its defaultTarget)")
    parser.add_argument(
        "--allow-destroy",
        action="store_true",
        help="permit replacing or deleting datasets (their data is lost)",
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete owned datasets whose manifest is gone"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="let an empty manifest set remove what the stack owns",
    )
    parser.add_argument(
        "--max-deletes", type=int, metavar="N", help="refuse more than N destructive changes"
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
