"""``reconciler drift``: report how each target differs from the manifests; --write carries
platform-made changes back into them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import VarFlags, add_var_flag, variables_from
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import ConfigError, ReconcilerError
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.manifests.writeback import write_back
from aep_reconciler.pipeline import Context, load_context, plan_for, require_stack
from aep_reconciler.plan import PlanOptions
from aep_reconciler.render import github
from aep_reconciler.render.drift import TargetReport, render


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "drift",
        description="Read live state and report every difference from the manifests: missing, "
        "changed (field by field, live vs declared), failed, stale, unmanaged and orphaned "
        "objects; foreign jobs acknowledged by id are reported, not counted as drift. "
        "Several --target are checked concurrently. Exit 0 in sync, 2 drift found, 1 error "
        "(on any target). Changes nothing, except with --write.",
    )
    parser.add_argument("path", nargs="?", help="manifest directory or file (default: specs/)")
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAME",
        help="target of reconciler.yaml; repeat for several (default: its defaultTarget)",
    )
    add_var_flag(parser)
    parser.add_argument(
        "--acknowledge",
        action="append",
        default=[],
        metavar="JOB_ID",
        help="report this foreign export job as acknowledged, not drift (repeatable; "
        "adds to the target's acknowledge.exportJobs in reconciler.yaml)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown", github.GITHUB_FORMAT),
        default="text",
        help="github: text, with failures as GitHub annotations (also under GITHUB_ACTIONS)",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="write the platform's values of fields changed outside reconciler into the "
        "manifests (comments, key order and anchors kept) and show the diff; one target",
    )
    runs(parser, run, DriftArgs)


@dataclass(frozen=True)
class DriftArgs(VarFlags):
    path: str | None
    target: Sequence[str] | None
    acknowledge: Sequence[str]
    format: str
    write: bool


def targets_of(given: Sequence[str] | None) -> list[str | None]:
    """The targets asked for, in order, each once; [None] means the default target."""
    names: list[str | None] = list(dict.fromkeys(given or ()))
    return names or [None]


def options_for(ctx: Context, acknowledge: Sequence[str] = ()) -> PlanOptions:
    """What drift plans with: the target's ignoreFields, its acknowledged jobs and the
    ``--acknowledge`` ids."""
    acknowledged = tuple(dict.fromkeys([*ctx.session.acknowledged_jobs, *acknowledge]))
    return PlanOptions(ignore_fields=ctx.session.ignore_fields, acknowledged=acknowledged)


async def check(ctx: Context, acknowledge: Sequence[str] = ()) -> TargetReport:
    """Plan against one target and keep what differs; an error becomes the report's error."""
    try:
        async with ctx.session.client() as client:
            plan = await plan_for(ctx, client, options_for(ctx, acknowledge))
    except ReconcilerError as exc:
        return TargetReport(
            ctx.session.target, ctx.stack, error=str(exc), endpoint=ctx.session.endpoint
        )
    return TargetReport.from_plan(plan)


def _load(args: DriftArgs, target: str | None, many: bool) -> Context | TargetReport:
    """One target's context; with several targets a bad one is reported, not fatal."""
    try:
        ctx = load_context(args.path, target, variables=variables_from(args))
        require_stack(ctx, "drift")
        return ctx
    except ReconcilerError as exc:
        if not many:
            raise  # cli.py prints it (diagnostics one per line) and exits 1
        return TargetReport(target or "default", "-", error=str(exc))


async def check_all(
    contexts: Sequence[Context | TargetReport], acknowledge: Sequence[str] = ()
) -> list[TargetReport]:
    """Every target at once; reports come back in the order the targets were given."""

    async def one(item: Context | TargetReport) -> TargetReport:
        return item if isinstance(item, TargetReport) else await check(item, acknowledge)

    return list(await asyncio.gather(*(one(item) for item in contexts)))


def exit_code(reports: Sequence[TargetReport]) -> ExitCode:
    """1 if any target could not be checked, else 2 if any drifted, else 0."""
    if any(r.error is not None for r in reports):
        return ExitCode.ERROR
    return ExitCode.OK if all(r.in_sync for r in reports) else ExitCode.CHANGES


def write_back_report(report: TargetReport, ctx: Context) -> ExitCode:
    """drift --write: carry platform-made changes into git; 0 when nothing else differs."""
    done = write_back(report.findings, ctx.manifests)
    for edit in done.edits:
        sys.stdout.write(edit.diff())
    for key, path, why in done.refused:
        print(f"reconciler: not written: {key} {path}: {why}", file=sys.stderr)
    files = len(done.edits)
    print(f"Wrote the platform's values into {files} manifest file{'s' * (files != 1)}.")
    left = [f for f in report.findings if f.is_drift and not done.resolved(f)]
    return ExitCode.CHANGES if left else ExitCode.OK


def run(args: DriftArgs) -> ExitCode:
    names = targets_of(args.target)
    if args.write and (len(names) > 1 or args.format != "text"):
        raise ConfigError("--write takes one --target and shows a diff: no --format json/markdown")
    contexts = [_load(args, name, len(names) > 1) for name in names]
    if args.format in ("text", github.GITHUB_FORMAT):
        for ctx in contexts:
            if isinstance(ctx, Context):
                print(
                    f"reconciler drift · stack {ctx.stack} · {ctx.session.describe()}",
                    file=sys.stderr,
                )
    reports = _async.run(lambda: check_all(contexts, args.acknowledge))
    for report in reports:
        if report.error is not None:
            print(f"reconciler: error: target {report.target}: {report.error}", file=sys.stderr)
            if github.enabled(args.format, os.environ):
                title = f"reconciler drift {report.target}"
                print(github.command(report.error, title=title), file=sys.stderr)
    sys.stdout.write(render(reports, args.format))
    ctx = contexts[0]
    if args.write and isinstance(ctx, Context) and reports[0].error is None:
        return write_back_report(reports[0], ctx)
    return exit_code(reports)
