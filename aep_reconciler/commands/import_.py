"""``reconciler import``: adopt an existing dataset or export job; write or check its manifest."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aep_reconciler.applier.lease import Lease
from aep_reconciler.applier.record import write_record
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import StackFlags
from aep_reconciler.commands._import_job import adopt, import_job, manifest_file
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.commands._prompt import Approval, add_approval_flags, confirm
from aep_reconciler.diagnostics import ApiError, ConfigError, ManifestError, display_path
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.field_paths import value_at
from aep_reconciler.manifests.writer import SCHEMA_MODELINE, manifest_yaml
from aep_reconciler.ownership import NAME_TAG, STACK_TAG
from aep_reconciler.pipeline import Context, load_context, require_stack, resolve_references
from aep_reconciler.plan import Change
from aep_reconciler.planner.adopt import (
    adopt_change,
    already_adopted,
    manifest_document,
    mismatches,
    refusal,
)
from aep_reconciler.planner.jobs import declared_inventory
from aep_reconciler.redaction import REDACTOR
from aep_reconciler.remote import AepClient
from aep_reconciler.render.plan import change_lines, use_colour
from aep_reconciler.resources import DATASET, EXPORT_JOB, DesiredDataset, ManifestSet


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "import",
        description="Adopt the live dataset or export job ID as manifest NAME: check the "
        "manifest NAME against it, or write PATH/datasets/NAME.yaml (PATH/export-jobs/NAME.yaml) "
        "from it, then add the stack's ownership tags (record the job in its dataset's "
        "inventory). An export job's dataset must be managed by the stack already.",
    )
    parser.add_argument("kind", metavar="KIND", help="Dataset or ExportJob")
    parser.add_argument("name", metavar="NAME", help="the manifest name to manage it as")
    parser.add_argument("id", metavar="ID", help="the live dataset's or export job's id")
    parser.add_argument("path", nargs="?", help="manifest directory (default: specs/)")
    parser.add_argument("--target", help="target of reconciler.yaml (default: its defaultTarget)")
    add_approval_flags(parser, "adopt")
    runs(parser, run, ImportArgs)


@dataclass(frozen=True)
class ImportArgs(StackFlags, Approval):
    kind: str
    name: str
    id: str


@dataclass(frozen=True)
class Request:
    name: str
    dataset_id: str
    file: Path | None  # the manifest to write; None when the tree declares NAME already


def check_kind(kind: str) -> None:
    if kind not in (DATASET, EXPORT_JOB):
        raise ConfigError(f"unknown kind {kind!r}: {DATASET} or {EXPORT_JOB} can be imported")


def load(path: str | None, target: str | None) -> Context:
    """The project and its manifests; an empty directory is a valid place to import into."""
    return load_context(path, target, allow_empty=True)


def declared_dataset(manifests: ManifestSet, name: str) -> DesiredDataset | None:
    return next((d for d in manifests.datasets if d.key.name == name), None)


def ignored(ctx: Context, desired: DesiredDataset | None) -> tuple[str, ...]:
    lifecycle = desired.lifecycle.ignore_fields if desired else ()
    return tuple(ctx.session.ignore_fields.get(DATASET, ())) + lifecycle


async def fetch(
    client: AepClient, dataset_id: str, target: str
) -> tuple[dict[str, Any], str | None]:
    try:
        return await client.get_dataset(dataset_id)
    except ApiError as exc:
        if exc.status == 404:
            raise ConfigError(f"there is no dataset {dataset_id} on target {target}") from None
        raise exc.with_resource(f"Dataset {dataset_id}") from None


async def name_is_free(client: AepClient, ctx: Context, name: str, dataset_id: str) -> None:
    """Safety rule: one live dataset per manifest name, or plans see a duplicate."""
    found = await client.list_datasets(
        properties=["name"], tags={STACK_TAG: ctx.stack, NAME_TAG: name}
    )
    others = sorted(i for i in found if i != dataset_id)
    if others:
        raise ConfigError(
            f"stack {ctx.stack} already manages dataset {others[0]} as {name}: "
            "import under another NAME"
        )


def report_mismatch(
    desired: DesiredDataset,
    declared: Mapping[str, Any],
    view: Mapping[str, Any],
    paths: Sequence[str],
) -> ExitCode:
    print(f"Dataset/{desired.key.name} ({desired.source}) does not match the live dataset:")
    for path in paths:
        print(f"  ~ {path}: live {value_at(view, path)!r}, manifest {value_at(declared, path)!r}")
    print(
        "reconciler: error: nothing imported; make the manifest match the live dataset "
        "(or import it under another NAME), then run import again",
        file=sys.stderr,
    )
    return ExitCode.ERROR


def write_manifest(ctx: Context, request: Request, live: Mapping[str, Any]) -> DesiredDataset:
    """Write the manifest, and take it back if the tree no longer validates with it."""
    assert request.file is not None
    folder = ctx.root if ctx.root.is_dir() else ctx.root.parent
    comments = [SCHEMA_MODELINE] if (folder / "schemas" / "manifest.schema.json").exists() else []
    comments.append(f"Imported from dataset {request.dataset_id} on target {ctx.session.target}.")
    # the live dataset comes from the platform, which may echo a secret back
    text = REDACTOR.text(manifest_yaml(manifest_document(request.name, live), comments))
    request.file.parent.mkdir(parents=True, exist_ok=True)
    with request.file.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    try:
        manifests = ctx.reload()
    except ManifestError:
        request.file.unlink()
        raise
    desired = declared_dataset(manifests, request.name)
    if desired is None:  # pragma: no cover - the file just written declares it
        request.file.unlink()
        raise ConfigError(f"{display_path(request.file)} did not load as Dataset {request.name}")
    print(f"wrote {display_path(request.file)}")
    return desired


def show(ctx: Context, change: Change, file: Path | None) -> None:
    for line in change_lines(change, use_colour(sys.stdout)):
        print(line)
    for key, values in sorted((change.after or {}).get("tags", {}).items()):
        if key.startswith("reconciler-"):
            print(f"        + tags.{key} = {values}")
    if file is not None:
        print(f"        writes {display_path(file)}")


async def _import(args: ImportArgs, ctx: Context) -> ExitCode:
    desired = declared_dataset(ctx.manifests, args.name)
    ignore = ignored(ctx, desired)
    file = None if desired is not None else manifest_file(ctx, DATASET, args.name)
    request = Request(args.name, args.id, file)
    async with ctx.session.client() as aep, Lease(aep, ctx.stack) as lease:  # no apply meanwhile
        live, etag = await fetch(aep, request.dataset_id, ctx.session.target)
        why = refusal(live, ctx.stack, request.name)
        if why:
            raise ConfigError(f"cannot import dataset {request.dataset_id}: {why}")
        if already_adopted(live, ctx.stack, request.name):
            print(
                f"Dataset {request.dataset_id} is already managed by stack {ctx.stack} as "
                f"{request.name}; nothing to do."
            )
            return ExitCode.OK
        await name_is_free(aep, ctx, request.name, request.dataset_id)
        body = desired.body if desired else manifest_document(request.name, live)["spec"]
        declared, view, paths = mismatches(body, live, ignore)
        if desired is not None and paths:
            return report_mismatch(desired, declared, view, paths)
        # the jobs' intents carry digests of their requests with names resolved to ids
        manifests, _ = await resolve_references(ctx, aep, ctx.manifests)
        jobs = declared_inventory(manifests).get(request.name, {})
        change = adopt_change(ctx.stack, request.name, request.dataset_id, live, declared, jobs)
        show(ctx, change, file)
        confirm(
            ctx.session,
            args,
            verb="import",
            question=f"Adopt this dataset on {ctx.session.target}?",
        )
        if file is not None:
            written = write_manifest(ctx, request, live)
            declared = mismatches(written.body, live, ignore)[0]
            change = adopt_change(ctx.stack, request.name, request.dataset_id, live, declared, jobs)
        # A tag rewrite replaces the whole set: a change made since the GET must fail (412).
        code = await adopt(ctx, aep, dataclasses.replace(change, if_match=etag))
        if lease.lock_id is not None:
            await write_record(aep, ctx.stack, lease.lock_id)
        return code


def run(args: ImportArgs) -> ExitCode:
    check_kind(args.kind)
    ctx = load(args.path, args.target)
    require_stack(ctx, "import")  # it writes the stack's ownership tags
    print(f"reconciler import · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    if args.kind == EXPORT_JOB:
        return _async.run(lambda: import_job(ctx, args.name, args.id, args))
    return _async.run(lambda: _import(args, ctx))
