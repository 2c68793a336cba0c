"""``reconciler plan``: show what apply would change, as text, JSON or Markdown."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from aep_reconciler import planfile
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import (
    PlanFlags,
    add_plan_flags,
    options_from,
    variables_from,
)
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.pipeline import Context, load_context, plan_for
from aep_reconciler.plan import Plan, PlanOptions
from aep_reconciler.render import github
from aep_reconciler.render.plan import render, use_colour


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "plan",
        description="Read live state from the list endpoints, compare it with the manifests "
        "and show the changes. Exit 0 (or 2 with --detailed-exitcode when there are "
        "changes), 1 on error.",
    )
    add_plan_flags(parser)
    parser.add_argument("--out", type=Path, help="save the plan for `apply --plan FILE`")
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown", github.GITHUB_FORMAT),
        default="text",
        help="github: text, with failures as GitHub annotations (also under GITHUB_ACTIONS)",
    )
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 with no changes, 2 with changes, 1 on error",
    )
    runs(parser, run, PlanArgs)


@dataclass(frozen=True)
class PlanArgs(PlanFlags):
    out: Path | None
    format: str
    detailed_exitcode: bool


async def _plan(ctx: Context, options: PlanOptions) -> Plan:
    async with ctx.session.client() as client:
        return await plan_for(ctx, client, options)


def run(args: PlanArgs) -> ExitCode:
    ctx = load_context(
        args.path, args.target, variables=variables_from(args), allow_empty=args.allow_empty
    )
    options = options_from(args, ctx)
    if args.format in ("text", github.GITHUB_FORMAT):
        print(f"reconciler plan · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    plan = _async.run(lambda: _plan(ctx, options))
    sys.stdout.write(render(plan, args.format, colour=use_colour(sys.stdout)))
    if args.out:
        saved = planfile.new_saved_plan(plan, ctx.manifests, options)
        planfile.write(args.out, saved, planfile.plan_key(os.environ))
        print(
            f"saved plan to {args.out}; apply it with: reconciler apply --plan {args.out}",
            file=sys.stderr,
        )
    return ExitCode.CHANGES if args.detailed_exitcode and plan.has_changes else ExitCode.OK
