"""``reconciler destroy``: remove everything the stack owns on a target, the lock dataset last."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from aep_reconciler.applier import Applier, Event, Outcome
from aep_reconciler.applier.lease import Lease
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import (
    DestroyFlags,
    WriteFlags,
    add_destroy_flags,
    add_write_flags,
    check_write_flags,
)
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.commands._prompt import Approval, add_approval_flags, confirm
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.pipeline import EMPTY, Context, load_stack, plan_for, require_stack
from aep_reconciler.plan import Plan, PlanOptions
from aep_reconciler.planner.teardown import lock_key, teardown
from aep_reconciler.remote import AepClient
from aep_reconciler.render import events
from aep_reconciler.render.plan import plan_text, use_colour
from aep_reconciler.resources import ResourceKey


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "destroy",
        description="Plan the removal of every dataset the stack owns (their running export "
        "jobs are cancelled first) and of its lock dataset, show it, ask, then do it. Needs "
        "--allow-destroy: the datasets' data is lost. Manifests are not read. Nothing is "
        "removed if any step is blocked.",
    )
    add_destroy_flags(parser)
    add_approval_flags(parser, "destroy")
    add_write_flags(parser)
    runs(parser, run, DestroyArgs)


@dataclass(frozen=True)
class DestroyArgs(DestroyFlags, WriteFlags, Approval):
    pass


def options_from(args: DestroyFlags) -> PlanOptions:
    """An empty manifest set that prunes: exactly what the stack owns, nothing else."""
    return PlanOptions(
        allow_destroy=args.allow_destroy,
        prune=True,
        allow_empty=True,
        max_deletes=args.max_deletes,
    )


def _printer(lease: Lease, lock: ResourceKey) -> Callable[[Event], None]:
    def on_event(event: Event) -> None:
        change = event.change
        if change.key == lock and event.outcome is Outcome.STARTED:
            lease.stop_renewing()
        if change.key == lock and event.outcome is Outcome.SUCCEEDED:
            lease.forget()
        events.print_event(event)

    return on_event


async def _destroy(args: DestroyArgs, ctx: Context) -> ExitCode:
    async with (
        ctx.session.client() as client,
        Lease(client, ctx.stack, wait=args.lock_timeout) as lease,
    ):
        plan = teardown(await plan_for(ctx, client, options_from(args), EMPTY), lease.lock_id)
        print(plan_text(plan, colour=use_colour(sys.stdout)), end="")
        if plan.blocked:
            headline = f"Nothing destroyed: {len(plan.blocked)} blocked change(s)."
            events.print_lines(events.nothing_done(headline, plan.blocked))
            return ExitCode.ERROR
        question = f"Destroy everything stack {ctx.stack} owns on {ctx.session.target}?"
        confirm(ctx.session, args, verb="destroy", question=question)
        return await _execute(args, client, lease, plan)


async def _execute(args: DestroyArgs, client: AepClient, lease: Lease, plan: Plan) -> ExitCode:
    on_event = _printer(lease, lock_key(plan.stack))
    applier = Applier(client, parallelism=args.parallelism, on_event=on_event)
    result = await applier.apply(plan)
    events.print_lines(events.destroy_summary(result))
    return ExitCode.ERROR if result.failed else ExitCode.OK


def run(args: DestroyArgs) -> ExitCode:
    check_write_flags(args)
    ctx = load_stack(args.path, args.target)
    require_stack(ctx, "destroy")
    print(f"reconciler destroy · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    return _async.run(lambda: _destroy(args, ctx))
