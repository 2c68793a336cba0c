"""``reconciler show PLANFILE``: a saved plan as text, JSON or Markdown, offline."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aep_reconciler import planfile
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.render.plan import FORMATS, render, use_colour


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "show",
        description="Show a plan saved by `plan --out FILE`, without reading the platform: "
        "for review, or a pull-request comment (--format markdown). JSON is the plan's JSON "
        "(specs/schemas/plan.schema.json).",
    )
    parser.add_argument("planfile", type=Path, metavar="PLANFILE")
    parser.add_argument("--format", choices=FORMATS, default="text")
    runs(parser, run, ShowArgs)


@dataclass(frozen=True)
class ShowArgs:
    planfile: Path
    format: str


def _moment(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def header(saved: planfile.SavedPlan, path: Path) -> str:
    """Which plan this is, who made it when, and whether it can still be applied."""
    plan = saved.plan
    made = plan.created or _moment(saved.created_at)
    state = (
        f"applied at {_moment(saved.applied_at)}; run plan again for a new one"
        if saved.applied_at is not None
        else f"not applied; apply it with: reconciler apply --plan {path}"
    )
    return (
        f"Saved plan {saved.plan_id} for target {plan.target} (stack {plan.stack}), made "
        f"{made} by reconciler {plan.made_by}; {state}."
    )


def run(args: ShowArgs) -> ExitCode:
    saved = planfile.read(args.planfile)
    if args.format != "json":
        line = header(saved, args.planfile)
        print(f"_{line}_\n" if args.format == "markdown" else f"{line}\n")
    colour = use_colour(sys.stdout)
    sys.stdout.write(render(saved.plan, args.format, colour=colour))
    return ExitCode.OK
