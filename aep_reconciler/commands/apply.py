"""``reconciler apply``: make the platform match the manifests, exactly as planned."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aep_reconciler import planfile
from aep_reconciler.applier import Applier, ApplyResult
from aep_reconciler.applier.lease import Lease
from aep_reconciler.applier.record import write_record
from aep_reconciler.applier.waiter import follow
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import (
    PlanFlags,
    WriteFlags,
    add_plan_flags,
    add_write_flags,
    check_write_flags,
    options_from,
    variables_from,
)
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.commands._prompt import Approval, add_approval_flags, confirm
from aep_reconciler.diagnostics import PlanError
from aep_reconciler.durations import parse_duration
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.pipeline import (
    Context,
    load_context,
    plan_for,
    require_stack,
    resolve_references,
)
from aep_reconciler.plan import Plan
from aep_reconciler.remote import AepClient
from aep_reconciler.render import events
from aep_reconciler.render.plan import plan_text, use_colour
from aep_reconciler.results import exported_counts

DEFAULT_WAIT_TIMEOUT = 3600.0


def duration_arg(text: str) -> float:
    """An argparse type: a usage error (exit 1) names what a duration looks like."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "apply",
        description="Plan, show the plan, ask, then make exactly those changes. With --plan, "
        "apply a saved plan after checking the platform has not moved since.",
    )
    add_plan_flags(parser)
    parser.add_argument("--plan", type=Path, metavar="FILE", help="a plan saved by plan --out")
    add_approval_flags(parser, "apply")
    add_write_flags(parser)
    parser.add_argument(
        "--wait",
        action="store_true",
        help="follow new export jobs to the end; exit 1 if one FAILED or is still running at "
        "--wait-timeout",
    )
    parser.add_argument(
        "--wait-timeout",
        type=duration_arg,
        default=DEFAULT_WAIT_TIMEOUT,
        metavar="DURATION",
        help="how long --wait follows the jobs: 90s, 30m, 2h or ISO 8601 such as PT30M "
        "(default 1h)",
    )
    runs(parser, run, ApplyArgs)


@dataclass(frozen=True)
class ApplyArgs(PlanFlags, WriteFlags, Approval):
    plan: Path | None
    wait: bool
    wait_timeout: float


async def _execute(args: ApplyArgs, ctx: Context, client: AepClient, plan: Plan) -> ExitCode:
    on_event = functools.partial(events.print_event, annotate="reconciler apply")
    result: ApplyResult = await Applier(
        client, parallelism=args.parallelism, on_event=on_event
    ).apply(plan)
    events.print_lines(events.apply_summary(result, plan.blocked))
    code = ExitCode.ERROR if result.failed or plan.blocked else ExitCode.OK
    if args.wait and (result.created_jobs or result.cancelled_jobs):
        code = max(code, await _wait(client, result, args.wait_timeout))
    return code


async def _wait(client: AepClient, result: ApplyResult, timeout: float) -> ExitCode:
    """Follow the new jobs; exit 1 if one did not succeed within ``timeout`` seconds.

    The jobs the apply cancelled are reported cancelled at once, never polled."""
    progress = events.Progress()
    finals = await follow(
        client,
        result.created_jobs,
        on_progress=progress,
        cancelled=result.cancelled_jobs,
        timeout=timeout,
    )
    progress.end()
    counts = await _counts(client, result, finals)
    events.print_lines(events.wait_report(result, finals, counts, timeout))
    created = [finals[i] for i in result.created_jobs]
    return ExitCode.OK if all(s == "SUCCEEDED" for s in created) else ExitCode.ERROR


async def _counts(
    client: AepClient, result: ApplyResult, finals: Mapping[str, str]
) -> events.Counts:
    """What each new job that SUCCEEDED exported, read back from the platform."""
    done = [i for i in result.created_jobs if finals.get(i) == "SUCCEEDED"]
    return {i: exported_counts(await client.get_export_job(i)) for i in done}


async def _apply(args: ApplyArgs, ctx: Context) -> ExitCode:
    async with ctx.session.client() as client:
        # An unknown merge policy or audience stops apply before it writes anything (the
        # lease included).
        checked = None if args.plan else await resolve_references(ctx, client, ctx.manifests)
        async with Lease(client, ctx.stack, wait=args.lock_timeout) as lease:
            if args.plan is not None:
                key = planfile.plan_key(os.environ)
                saved = planfile.read(args.plan, key)
                if saved.applied_at is not None:
                    raise PlanError(f"{args.plan} was applied already; run plan again")
                made = (saved.plan.target, saved.plan.stack, saved.plan.endpoint)
                if made != (ctx.session.target, ctx.stack, ctx.session.endpoint):
                    where = saved.plan.endpoint.describe() if saved.plan.endpoint else "unknown"
                    raise PlanError(
                        f"{args.plan} was made for target {saved.plan.target} (stack "
                        f"{saved.plan.stack}, {where}), not {ctx.session.target} ({ctx.stack}, "
                        f"{ctx.session.endpoint.describe()})"
                    )
                fresh = await plan_for(ctx, client, saved.options, saved.manifests)
                planfile.check_fresh(saved, fresh)
                plan = saved.plan
                print(plan_text(plan, colour=use_colour(sys.stdout)), end="")
                confirm(
                    ctx.session,
                    args,
                    verb="apply",
                    question=f"Apply these changes to {ctx.session.target}?",
                    approved=True,
                )
                planfile.mark_applied(args.plan, saved, key)
            else:
                plan = await plan_for(ctx, client, options_from(args, ctx), references=checked)
                print(plan_text(plan, colour=use_colour(sys.stdout)), end="")
                if not plan.actionable:
                    if not plan.blocked:
                        return ExitCode.OK
                    headline = (
                        f"Nothing to apply: {len(plan.blocked)} blocked change(s) not applied."
                    )
                    events.print_lines(events.nothing_done(headline, plan.blocked))
                    return ExitCode.ERROR
                confirm(
                    ctx.session,
                    args,
                    verb="apply",
                    question=f"Apply these changes to {ctx.session.target}?",
                )
            code = await _execute(args, ctx, client, plan)
            if lease.lock_id is not None:
                await write_record(client, ctx.stack, lease.lock_id)
            return code


def run(args: ApplyArgs) -> ExitCode:
    check_write_flags(args)
    ctx = load_context(
        args.path, args.target, variables=variables_from(args), allow_empty=args.allow_empty
    )
    require_stack(ctx, "apply")
    print(f"reconciler apply · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    return _async.run(lambda: _apply(args, ctx))
