"""``reconciler unlock``: name the holder of the stack's apply lease; --force releases it."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from aep_reconciler.applier.unlock import break_lease, describe, read_lease
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import add_stack_flags
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.pipeline import Context, load_stack


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "unlock",
        description="Show who holds the stack's apply lease. With --force, release it now: "
        "for a lease left by an apply killed on another machine (a cancelled CI run), "
        "which otherwise blocks applies until it expires. Make sure that apply is not "
        "running any more: two applies at once can create duplicates.",
    )
    add_stack_flags(parser)
    parser.add_argument("--force", action="store_true", help="release the lease whoever holds it")
    runs(parser, run, UnlockArgs)


@dataclass(frozen=True)
class UnlockArgs:
    path: str | None
    target: str | None
    force: bool


async def _unlock(ctx: Context, force: bool) -> ExitCode:
    async with ctx.session.client() as client:
        state = await read_lease(client, ctx.stack)
        if state.lease is None:
            print(f"Stack {ctx.stack} is not locked on target {ctx.session.target}.")
            return ExitCode.OK
        holder = describe(state.lease, int(time.time() * 1000))
        if not force:
            print(f"Stack {ctx.stack} is locked: {holder}.")
            print(
                "reconciler: error: not released; if that apply is no longer running, "
                "release it with: reconciler unlock --force",
                file=sys.stderr,
            )
            return ExitCode.ERROR
        if not await break_lease(client, state):
            raise ConfigError(
                "the lease changed while it was being released (its apply renewed it, or "
                "another one took it): run unlock again to see who holds it now"
            )
        print(f"Released the lease of stack {ctx.stack} ({holder}).")
        return ExitCode.OK


def run(args: UnlockArgs) -> ExitCode:
    ctx = load_stack(args.path, args.target)
    print(f"reconciler unlock · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    return _async.run(lambda: _unlock(ctx, args.force))
