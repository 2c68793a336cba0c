"""Command-line flags shared by commands: where, what a plan may destroy, how writes run,
what narrows a plan, and variables.

Each ``add_*_flags`` has a frozen dataclass of the same flags (``StackFlags`` for
``add_stack_flags``, …); a command's arguments subclass those of the flags it adds, so the
helpers here take them typed.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.manifests.variables import parse_assignment
from aep_reconciler.pipeline import Context
from aep_reconciler.plan import PlanOptions
from aep_reconciler.resources import EXPORT_JOB, KINDS, ResourceKey


def _key(text: str) -> ResourceKey:
    try:
        key = ResourceKey.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not KIND/NAME, e.g. ExportJob/vip-emails"
        ) from None
    if key.kind not in KINDS:
        raise argparse.ArgumentTypeError(f"unknown kind {key.kind!r} (kinds: {', '.join(KINDS)})")
    return key


def _job_key(text: str) -> ResourceKey:
    key = _key(text)
    if key.kind != EXPORT_JOB:
        raise argparse.ArgumentTypeError(
            f"{text}: only an ExportJob can be replaced on request (a dataset's replacement "
            "loses its data; it follows from a changed schemaRef with --allow-destroy)"
        )
    return key


def _assignment(text: str) -> tuple[str, str]:
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_var_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--var",
        action="append",
        type=_assignment,
        default=[],
        metavar="NAME=VALUE",
        help="set ${var.NAME} (repeatable); wins over RECONCILER_VAR_NAME and reconciler.yaml",
    )


@dataclass(frozen=True)
class VarFlags:
    var: Sequence[tuple[str, str]]


def variables_from(args: VarFlags) -> Mapping[str, str]:
    return dict(args.var)


def add_stack_flags(parser: argparse.ArgumentParser) -> None:
    """Which stack, on which target: the manifest tree (its reconciler.yaml) and --target."""
    parser.add_argument("path", nargs="?", help="manifest directory or file (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml (default: its defaultTarget)")


@dataclass(frozen=True)
class StackFlags:
    path: str | None
    target: str | None


def add_destroy_flags(parser: argparse.ArgumentParser) -> None:
    """Where to plan, and what the plan may destroy (plan, apply and destroy)."""
    add_stack_flags(parser)
    parser.add_argument(
        "--allow-destroy",
        action="store_true",
        help="permit replacing or deleting datasets (their data is lost)",
    )
    parser.add_argument(
        "--max-deletes", type=int, metavar="N", help="refuse more than N destructive changes"
    )


@dataclass(frozen=True)
class DestroyFlags(StackFlags):
    allow_destroy: bool
    max_deletes: int | None


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


@dataclass(frozen=True)
class WriteFlags:
    parallelism: int
    lock_timeout: float


def check_write_flags(args: WriteFlags) -> None:
    if args.parallelism < 1:
        raise ConfigError("--parallelism must be at least 1")


def add_plan_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that shape a plan; apply takes the same ones."""
    add_destroy_flags(parser)
    add_var_flag(parser)
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
    parser.add_argument(
        "--only",
        action="append",
        type=_key,
        default=[],
        metavar="KIND/NAME",
        help="plan only this object and what it needs (repeatable; for exceptional moments)",
    )
    parser.add_argument(
        "--replace",
        action="append",
        type=_job_key,
        default=[],
        metavar="ExportJob/NAME",
        help="run this export job again although its job is kept (repeatable)",
    )


@dataclass(frozen=True)
class PlanFlags(DestroyFlags, VarFlags):
    prune: bool
    allow_empty: bool
    allow_duplicate: bool
    only: Sequence[ResourceKey]
    replace: Sequence[ResourceKey]


def options_from(args: PlanFlags, ctx: Context) -> PlanOptions:
    return PlanOptions(
        allow_destroy=args.allow_destroy,
        prune=args.prune,
        allow_empty=args.allow_empty,
        max_deletes=args.max_deletes,
        allow_duplicate=args.allow_duplicate,
        ignore_fields=ctx.session.ignore_fields,
        only=tuple(dict.fromkeys(args.only)),
        replace=tuple(dict.fromkeys(args.replace)),
        acknowledged=ctx.session.acknowledged_jobs,
    )
