"""``reconciler ls``: what the stack owns on the platform, with its jobs' latest status."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from aep_reconciler.applier.unlock import describe, read_lease
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import add_stack_flags
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.pipeline import Context, load_stack, read_live
from aep_reconciler.render.inventory import DatasetRow, ls_json, ls_text, rows


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "ls",
        description="List the datasets the stack owns (found by their ownership tags, as there "
        "is no state file), the export jobs it created into each with the latest run's "
        "status, and who holds the apply lease. Reads the platform; changes nothing.",
    )
    add_stack_flags(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    runs(parser, run, LsArgs)


@dataclass(frozen=True)
class LsArgs:
    path: str | None
    target: str | None
    format: str


async def _read(ctx: Context) -> tuple[list[DatasetRow], str | None]:
    async with ctx.session.client() as client:
        live = await read_live(ctx, client)
        state = await read_lease(client, ctx.stack)
    lease = describe(state.lease, int(time.time() * 1000)) if state.lease else None
    return rows(live), lease


def run(args: LsArgs) -> ExitCode:
    ctx = load_stack(args.path, args.target)
    if args.format == "text":
        print(f"reconciler ls · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    found, lease = _async.run(lambda: _read(ctx))
    render = ls_json if args.format == "json" else ls_text
    sys.stdout.write(render(ctx.stack, ctx.session.target, found, lease))
    return ExitCode.OK
