"""``reconciler schema``: the JSON Schema of a manifest document, reconciler.yaml or a plan."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.manifests.json_schema import manifest_schema, project_schema
from aep_reconciler.plan_schema import plan_schema
from aep_reconciler.resources import KINDS


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "schema",
        description="Print the JSON Schema (draft 2020-12) of a manifest document, for "
        "editors (yaml-language-server) and CI validators.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--kind", choices=KINDS, help="only this kind (default: any kind)")
    group.add_argument("--project", action="store_true", help="the schema of reconciler.yaml")
    group.add_argument("--plan", action="store_true", help="the schema of a plan's JSON")
    runs(parser, run, SchemaArgs)


@dataclass(frozen=True)
class SchemaArgs:
    kind: str | None
    project: bool
    plan: bool


def run(args: SchemaArgs) -> ExitCode:
    if args.plan:
        schema = plan_schema()
    else:
        schema = project_schema() if args.project else manifest_schema(args.kind)
    print(json.dumps(schema, indent=2, sort_keys=True))
    return ExitCode.OK
