"""``reconciler apply``: make the platform match the manifests, exactly as planned."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from reconciler import planfile
from reconciler.applier import Applier, ApplyResult, Event, Outcome
from reconciler.applier.lease import Lease
from reconciler.applier.record import write_record
from reconciler.applier.waiter import follow, progress_line
from reconciler.commands import _async
from reconciler.commands._flags import (
    add_plan_flags,
    add_write_flags,
    check_write_flags,
    options_from,
    variables_from,
)
from reconciler.commands._parser import Subparsers
from reconciler.commands._prompt import add_approval_flags, confirm
from reconciler.diagnostics import PlanError
from reconciler.durations import describe, parse_duration
from reconciler.exit_codes import ExitCode
from reconciler.pipeline import (
    Context,
    load_context,
    plan_for,
    require_stack,
    resolve_references,
)
from reconciler.plan import Plan
from reconciler.remote import AepClient
from reconciler.render import github
from reconciler.render.events import event_line, not_applied_lines
from reconciler.render.exports import job_line
from reconciler.render.plan import plan_text, use_colour
from reconciler.results import exported_counts

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
    parser.set_defaults(run=run)


def _print_event(event: Event) -> None:
    if event.outcome is Outcome.STARTED:
        return
    change = event.change
    line = event_line(event.outcome.value, change.key, change.action.value, event.message, event.id)
    print(line, flush=True)
    if event.outcome is Outcome.FAILED and github.enabled(None, os.environ):
        what = f"{change.action.value} {change.key} failed: {event.message}"
        print(github.command(what, title="reconciler apply"), file=sys.stderr, flush=True)


async def _execute(
    args: argparse.Namespace, ctx: Context, client: AepClient, plan: Plan
) -> ExitCode:
    applier = Applier(client, parallelism=args.parallelism, on_event=_print_event)
    result: ApplyResult = await applier.apply(plan)
    ok = sum(1 for e in result.events if e.outcome is Outcome.SUCCEEDED)
    failed = sum(1 for e in result.events if e.outcome is Outcome.FAILED)
    skipped = sum(1 for e in result.events if e.outcome is Outcome.SKIPPED)
    blocked = len(plan.blocked)
    tail = f", {blocked} blocked (not applied)" if blocked else ""
    print(f"Apply complete: {ok} succeeded, {failed} failed, {skipped} skipped{tail}.")
    unfinished = [(e.outcome.value, e.change.key, e.message) for e in result.failed]
    for line in not_applied_lines(plan.blocked, unfinished):
        print(line)
    code = ExitCode.ERROR if unfinished or blocked else ExitCode.OK
    if args.wait and (result.created_jobs or result.cancelled_jobs):
        code = max(code, await _wait(client, result, args.wait_timeout))
    return code


async def _wait(client: AepClient, result: ApplyResult, timeout: float) -> ExitCode:
    """Follow the new jobs; exit 1 if one did not succeed within ``timeout`` seconds.

    The jobs the apply cancelled are reported cancelled at once, never polled."""
    live = sys.stderr.isatty()  # one line redrawn in place; plain lines in CI logs

    def show(statuses: Mapping[str, str]) -> None:
        line = progress_line(statuses)
        print(f"\r\033[K{line}" if live else line, end="" if live else "\n", file=sys.stderr)
        sys.stderr.flush()

    finals = await follow(
        client,
        result.created_jobs,
        on_progress=show,
        cancelled=result.cancelled_jobs,
        timeout=timeout,
    )
    if live:
        print(file=sys.stderr)
    await _print_counts(client, result, finals)
    created = {i: finals[i] for i in result.created_jobs}
    late = sorted(i for i, s in created.items() if s == "TIMEOUT")
    bad = sorted(i for i, s in created.items() if s not in ("SUCCEEDED", "TIMEOUT"))
    if bad:
        print(f"export jobs that did not succeed: {', '.join(bad)}")
    if late:
        print(f"export jobs still running after {describe(timeout)}: {', '.join(late)}")
    return ExitCode.ERROR if bad or late else ExitCode.OK


async def _print_counts(client: AepClient, result: ApplyResult, finals: Mapping[str, str]) -> None:
    """Each followed job's end: its status and, when it SUCCEEDED, what it exported."""
    names = {e.id: str(e.change.key) for e in result.events if e.id is not None}
    for job_id in result.created_jobs:
        status = finals.get(job_id, "UNKNOWN")
        total: int | None = None
        by_ns: dict[str, int] = {}
        if status == "SUCCEEDED":
            total, by_ns = exported_counts(await client.get_export_job(job_id))
        print(job_line(names.get(job_id, "ExportJob"), job_id, status, total, by_ns))


async def _apply(args: argparse.Namespace, ctx: Context) -> ExitCode:
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
                    print(f"Nothing to apply: {len(plan.blocked)} blocked change(s) not applied.")
                    print("\n".join(not_applied_lines(plan.blocked, ())))
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


def run(args: argparse.Namespace) -> ExitCode:
    check_write_flags(args)
    ctx = load_context(
        args.path, args.target, variables=variables_from(args), allow_empty=args.allow_empty
    )
    require_stack(ctx, "apply")
    print(f"reconciler apply · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    return _async.run(lambda: _apply(args, ctx))
