"""``reconciler export``: an existing sandbox as manifests, then adopted by the stack.

Every selected dataset nobody manages becomes ``datasets/NAME.yaml``, and the export jobs
into it ``export-jobs/NAME.yaml`` (one document per distinct request). The files are
written first and the tree validated with them; then each dataset gets the stack's
ownership tags and its jobs recorded by id in the job inventory (the ids are known here,
so each run is a record, not an intent), as ``import`` does: through the applier, with
If-Match, under the stack's lease. A plan right after says No changes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aep_reconciler.applier import Applier
from aep_reconciler.applier.lease import Lease
from aep_reconciler.applier.record import write_record
from aep_reconciler.commands import _async
from aep_reconciler.commands._flags import StackFlags, add_stack_flags
from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.commands._prompt import Approval, add_approval_flags, confirm
from aep_reconciler.diagnostics import ConfigError, ManifestError, display_path
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.inventory import Entry, job_tag
from aep_reconciler.live import DATASET_PROPERTIES, LiveJob, observe
from aep_reconciler.manifests.crosschecks import unusable_destination
from aep_reconciler.manifests.editing import new_file
from aep_reconciler.ownership import manifest_name
from aep_reconciler.pipeline import Context, load_context, resolve_references
from aep_reconciler.plan import Change, Plan, PlanOptions
from aep_reconciler.planner.adopt import adopt_change, manifest_document, manifest_spec, mismatches
from aep_reconciler.planner.jobs import recorded_digest
from aep_reconciler.planner.onboard import (
    Request,
    Selector,
    chosen,
    job_comment,
    job_document,
    requests,
    skip_reason,
    slug,
    unique,
)
from aep_reconciler.remote import AepClient
from aep_reconciler.render.events import adoption_printer
from aep_reconciler.resources import DATASET, ManifestSet


def _selector(text: str) -> Selector:
    try:
        return Selector.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        description="Write a manifest for every existing dataset nobody manages (or those "
        "--select picks) and for each distinct export request into them, then adopt the "
        "datasets into the stack as import does. Never overwrites a file.",
    )
    add_stack_flags(parser)
    parser.add_argument(
        "--select",
        action="append",
        type=_selector,
        default=[],
        metavar="tag:KEY=VALUE|NAME-GLOB",
        help="only datasets with this tag value, or whose name matches (repeatable: any)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="where to write, inside PATH (default: PATH)"
    )
    add_approval_flags(parser, "export")
    runs(parser, run, ExportArgs)


@dataclass(frozen=True)
class ExportArgs(StackFlags, Approval):
    select: Sequence[Selector]
    out: Path | None


@dataclass
class Found:
    """One dataset to export: what the platform holds, and the files it becomes."""

    dataset_id: str
    name: str
    live: dict[str, Any]
    etag: str | None
    requests: list[Request] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _taken(ctx: Context, owned: Mapping[str, Mapping[str, Any]]) -> set[str]:
    declared = {d.key.name for d in ctx.manifests.datasets}
    declared |= {j.key.name for j in ctx.manifests.export_jobs}
    return declared | {n for d in owned.values() if (n := manifest_name(d))}


async def survey(ctx: Context, client: AepClient, selectors: Sequence[Selector]) -> list[Found]:
    """The datasets to export, named, with their requests; notes on what is left out."""
    every = await client.list_datasets(properties=DATASET_PROPERTIES)
    picked: dict[str, dict[str, Any]] = {}
    for dataset_id, dataset in sorted(
        every.items(), key=lambda p: (p[1].get("created") or 0, p[0])
    ):
        why = skip_reason(dataset, ctx.stack) if chosen(dataset, selectors) else ""
        if why:
            print(f"  skipped Dataset {dataset_id} ({dataset.get('name')}): {why}")
        elif why is None:
            picked[dataset_id] = dataset
    state = await observe(client, ctx.stack, picked)
    taken = _taken(ctx, state.datasets)
    found = []
    for dataset_id in picked:
        live, etag = await client.get_dataset(dataset_id)
        item = Found(dataset_id, unique(slug(str(live.get("name") or "")), taken), live, etag)
        item.requests = _requests(item, state.jobs_into(dataset_id), taken)
        found.append(item)
    return found


def _requests(item: Found, jobs: list[LiveJob], taken: set[str]) -> list[Request]:
    if not jobs:
        return []
    problem = unusable_destination(manifest_spec(item.live))
    if problem:
        print(f"  skipped {len(jobs)} export job(s) into Dataset {item.dataset_id}: {problem}")
        return []
    return requests(item.name, jobs, taken)


def _modeline(file: Path, root: Path) -> list[str]:
    schema = root / "schemas" / "manifest.schema.json"
    if not schema.exists():
        return []
    return [f"# yaml-language-server: $schema={os.path.relpath(schema, file.parent)}"]


def _files(item: Found, out: Path, root: Path, target: str) -> dict[Path, str]:
    """The text of the files ``item`` becomes."""
    dataset_file = out / "datasets" / f"{item.name}.yaml"
    origin = f"Exported from dataset {item.dataset_id} on target {target}."
    texts = {
        dataset_file: new_file(
            [manifest_document(item.name, item.live)], [[*_modeline(dataset_file, root), origin]]
        )
    }
    if item.requests:
        jobs_file = out / "export-jobs" / f"{item.name}.yaml"
        heads = [[job_comment(r)] for r in item.requests]
        heads[0] = [*_modeline(jobs_file, root), f"Into Dataset {item.name}.", *heads[0]]
        docs = [job_document(r, item.name) for r in item.requests]
        texts[jobs_file] = new_file(docs, heads)
    return texts


def write(ctx: Context, found: list[Found], out: Path) -> ManifestSet:
    """Write every file (refusing to overwrite any), then validate the tree with them."""
    planned = {item.dataset_id: _files(item, out, ctx.root, ctx.session.target) for item in found}
    existing = [display_path(p) for texts in planned.values() for p in texts if p.exists()]
    if existing:
        raise ConfigError(f"not overwriting {', '.join(existing)}: move them or use --out")
    for item in found:
        for path, text in planned[item.dataset_id].items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            item.files.append(path)
    try:
        return ctx.reload()
    except ManifestError:
        remove(found)
        raise


def remove(found: Sequence[Found]) -> None:
    for item in found:
        for path in item.files:
            path.unlink(missing_ok=True)


def adoption(ctx: Context, manifests: ManifestSet, item: Found) -> Change:
    """The ADOPT change of one written dataset: its tags, its jobs recorded by id.

    ``manifests``: the tree as written, merge policy and audience names resolved (the
    digests recorded are those the planner computes).
    """
    desired = next(d for d in manifests.datasets if d.key.name == item.name)
    ignore = tuple(ctx.session.ignore_fields.get(DATASET, ())) + desired.lifecycle.ignore_fields
    declared, _, paths = mismatches(desired.body, item.live, ignore)
    if paths:  # written from the live dataset: a difference is a bug
        raise AssertionError(f"{desired.key} differs from the dataset it was written from: {paths}")
    change = adopt_change(
        ctx.stack,
        item.name,
        item.dataset_id,
        item.live,
        declared,
        job_records(ctx, manifests, item),
    )
    return dataclasses.replace(change, if_match=item.etag)


def job_records(ctx: Context, manifests: ManifestSet, item: Found) -> dict[str, list[str]]:
    """Each exported request's inventory tag: a record of every run, oldest first."""
    options = PlanOptions(ignore_fields=ctx.session.ignore_fields)
    runs = {r.name: r.runs for r in item.requests}
    tags: dict[str, list[str]] = {}
    for job in manifests.export_jobs:
        if job.dataset != item.name or job.key.name not in runs:
            continue
        digest = recorded_digest(job, item.dataset_id, options)
        tags[job_tag(job.key.name)] = [
            Entry(digest, run.id).text() for run in reversed(runs[job.key.name])
        ]
    return tags


async def adopt_all(ctx: Context, client: AepClient, changes: list[Change]) -> set[str]:
    """Adopt every dataset; the ids whose adoption failed."""
    plan = Plan(ctx.stack, ctx.session.target, tuple(changes))
    result = await Applier(client, on_event=adoption_printer("export")).apply(plan)
    return {e.change.id for e in result.failed if e.change.id}


def _describe(found: Sequence[Found], out: Path) -> None:
    for item in found:
        jobs = sum(len(r.runs) for r in item.requests)
        tail = f", {len(item.requests)} request(s) from {jobs} job(s)" if item.requests else ""
        print(f"    = Dataset/{item.name} ({item.dataset_id}): adopt{tail}")
    print(f"  writes {len(found)} dataset manifest(s) under {display_path(out)}")


def _out(ctx: Context, out: Path | None) -> Path:
    root = ctx.root if ctx.root.is_dir() else ctx.root.parent
    folder = out if out is not None else root
    if not folder.resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"--out {out} is outside {display_path(root)}: plan would not see it")
    return folder


async def _export(args: ExportArgs, ctx: Context) -> ExitCode:
    out = _out(ctx, args.out)
    async with ctx.session.client() as client, Lease(client, ctx.stack) as lease:
        found = await survey(ctx, client, args.select)
        if not found:
            print("Nothing to export: every selected dataset is managed already.")
            return ExitCode.OK
        _describe(found, out)
        question = f"Write and adopt these on {ctx.session.target}?"
        confirm(ctx.session, args, verb="export", question=question)
        written = write(ctx, found, out)
        try:  # a job naming an audience the sandbox lacks: nothing written stays
            manifests, _ = await resolve_references(ctx, client, written)
        except ManifestError:
            remove(found)
            raise
        failed = await adopt_all(ctx, client, [adoption(ctx, manifests, i) for i in found])
        if lease.lock_id is not None:
            await write_record(client, ctx.stack, lease.lock_id)
    remove([i for i in found if i.dataset_id in failed])
    done = [i for i in found if i.dataset_id not in failed]
    requests_ = sum(len(i.requests) for i in done)
    print(
        f"Export complete: {len(done)} dataset(s) and {requests_} export job(s) written under "
        f"{display_path(out)} and managed by stack {ctx.stack}."
    )
    return ExitCode.ERROR if failed else ExitCode.OK


def run(args: ExportArgs) -> ExitCode:
    ctx = load_context(args.path, args.target, allow_empty=True)
    print(f"reconciler export · stack {ctx.stack} · {ctx.session.describe()}", file=sys.stderr)
    return _async.run(lambda: _export(args, ctx))
