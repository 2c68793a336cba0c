"""``reconciler validate``: check manifests and reconciler.yaml offline, every problem at once."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from aep_reconciler.commands._flags import VarFlags, add_var_flag, variables_from
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import sorted_diagnostics
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.manifests.project import read_project
from aep_reconciler.manifests.tree import collect_manifests, default_root
from aep_reconciler.manifests.variables import from_environment
from aep_reconciler.render import github
from aep_reconciler.target import target_problems

FORMAT_VERSION = "1.0"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        description="Check every manifest under PATH and its reconciler.yaml, offline. "
        "Exit 0 when clean, 1 on any error.",
    )
    parser.add_argument("path", nargs="?", type=Path, help="directory or file (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml whose variables apply")
    add_var_flag(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json", github.GITHUB_FORMAT),
        default="text",
        help="github: text, and each problem as a GitHub annotation (also under GITHUB_ACTIONS)",
    )
    runs(parser, run, ValidateArgs)


@dataclass(frozen=True)
class ValidateArgs(VarFlags):
    path: Path | None
    target: str | None
    format: str


def run(args: ValidateArgs) -> ExitCode:
    root: Path = args.path if args.path is not None else default_root()
    project, config_diags = read_project(root)
    overrides = {**from_environment(os.environ), **variables_from(args)}
    loaded = collect_manifests(root, project, args.target, overrides)
    # every target, not just the chosen one: a pull request that points any of them at a
    # foreign host is caught before a workflow uses it
    usable = [d for t in project.targets.values() for d in target_problems(t, os.environ)]
    diags = sorted_diagnostics([*config_diags, *usable, *loaded.diagnostics])
    if args.format == "json":
        doc = {
            "format_version": FORMAT_VERSION,
            "valid": not diags,
            "files": loaded.files,
            "documents": loaded.documents,
            "target": loaded.target,
            "diagnostics": [d.to_json() for d in diags],
        }
        print(json.dumps(doc, indent=2))
        return ExitCode.ERROR if diags else ExitCode.OK
    for diag in diags:
        print(diag, file=sys.stderr)
    if github.enabled(args.format, os.environ):
        for diag in diags:
            print(github.diagnostic(diag, "reconciler validate"), file=sys.stderr)
    where = f"{_count(loaded.files, 'file')}, {_count(loaded.documents, 'document')}"
    target = f", target {loaded.target}" if loaded.target else ""
    if diags:
        print(f"{where}{target}: {_count(len(diags), 'error')}", file=sys.stderr)
        return ExitCode.ERROR
    print(f"{where}{target}: ok")
    return ExitCode.OK
