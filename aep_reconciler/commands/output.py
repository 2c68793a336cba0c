"""``reconciler output KIND/NAME``: the latest export job of a manifest and what it wrote."""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import StackFlags
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import ApiError, ConfigError
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.outputs import Progress, download, gather, preview
from aep_reconciler.pipeline import Context, load_context
from aep_reconciler.render.exports import PREVIEW_WIDTH, result_json, result_text
from aep_reconciler.resources import EXPORT_JOB, ResourceKey
from aep_reconciler.results import JobResult, PreviewResult

MAX_PREVIEW = 100  # the most rows the Data Access preview answers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "output",
        description="Find the latest export job of an ExportJob manifest on the target and "
        "show its status, profile counts, batches and files; --download saves the files "
        "(resuming partial ones).",
    )
    parser.add_argument("resource", metavar="ExportJob/NAME")
    parser.add_argument("path", nargs="?", help="manifest directory or file (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml (default: its defaultTarget)")
    parser.add_argument("--download", type=Path, metavar="DIR", help="save the files here")
    parser.add_argument(
        "--preview",
        nargs="?",
        const=5,
        type=_rows,
        metavar="N",
        help=f"show the first N rows of the job's batch (default 5, at most {MAX_PREVIEW})",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    runs(parser, run, OutputArgs)


@dataclass(frozen=True)
class OutputArgs(StackFlags):
    resource: str
    download: Path | None
    preview: int | None
    format: str


def _key(text: str) -> ResourceKey:
    kind, _, name = text.partition("/")
    if kind != EXPORT_JOB or not name:
        raise ConfigError(f"expected ExportJob/NAME, got {text!r}")
    return ResourceKey(kind, name)


def _rows(text: str) -> int:
    rows = int(text) if text.isdigit() else 0
    if not 1 <= rows <= MAX_PREVIEW:
        raise argparse.ArgumentTypeError(
            f"expected a number of rows from 1 to {MAX_PREVIEW}, got {text!r}"
        )
    return rows


def _progress(live: bool) -> Progress:
    def show(part: str, done: int, total: int) -> None:
        if live:
            print(
                f"\r\033[Kdownloading {part}: {done:,} of {total:,} bytes", end="", file=sys.stderr
            )
            if done >= total:
                print(file=sys.stderr)
            sys.stderr.flush()

    return show


async def _output(
    args: OutputArgs, ctx: Context, key: ResourceKey
) -> tuple[JobResult, PreviewResult | None]:
    async with ctx.session.client() as client:
        result = await gather(ctx, client, key)
        if args.download is not None and result.batches:
            result = await download(client, result, args.download, _progress(sys.stderr.isatty()))
        rows = None if args.preview is None else await preview(client, result, args.preview)
        return result, rows


def run(args: OutputArgs) -> ExitCode:
    key = _key(args.resource)
    ctx = load_context(args.path, args.target)
    if args.format == "text":
        print(f"reconciler output · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    try:
        result, rows = _async.run(lambda: _output(args, ctx, key))
    except ApiError as exc:
        raise exc.with_resource(str(key)) from None
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else PREVIEW_WIDTH
    sys.stdout.write(
        result_json(result, rows) if args.format == "json" else result_text(result, rows, width)
    )
    return ExitCode.ERROR if result.status == "FAILED" else ExitCode.OK
