"""``reconciler import ExportJob NAME ID``: adopt an existing export job (one made by hand,
with aepp, or long finished) as manifest NAME.

The job's destination must be a dataset the stack manages. Its manifest is written from the
platform's answer (``export-jobs/NAME.yaml``, as ``export`` writes one) unless the tree
declares NAME already, and then it must show the job's request. The job is recorded by id in
the dataset's inventory under NAME, through the applier, with If-Match, under the stack's
lease; the next plan finds it its own and says No changes.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aep_reconciler.applier import Applier
from aep_reconciler.applier.lease import Lease
from aep_reconciler.applier.record import write_record
from aep_reconciler.commands._prompt import Approval, confirm
from aep_reconciler.diagnostics import ApiError, ConfigError, ManifestError, display_path
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.fingerprint import differences
from aep_reconciler.inventory import Entry, job_tag, read
from aep_reconciler.live import LiveJob, live_job
from aep_reconciler.manifests.editing import new_file
from aep_reconciler.ownership import manifest_name, owner_stack, set_tag, tags_of
from aep_reconciler.pipeline import Context, resolve_references
from aep_reconciler.plan import Action, Change, Plan
from aep_reconciler.planner.jobs import recorded_digest
from aep_reconciler.planner.onboard import Request, job_document
from aep_reconciler.redaction import REDACTOR
from aep_reconciler.remote import AepClient
from aep_reconciler.render.events import adoption_printer
from aep_reconciler.render.plan import change_lines, use_colour
from aep_reconciler.resources import DATASET, EXPORT_JOB, DesiredExportJob, ManifestSet, ResourceKey

IMPORTED = "imported"


async def fetch_job(client: AepClient, job_id: str, target: str) -> LiveJob:
    try:
        raw = await client.get_export_job(job_id)
    except ApiError as exc:
        if exc.status == 404:
            raise ConfigError(f"there is no export job {job_id} on target {target}") from None
        raise exc.with_resource(f"ExportJob {job_id}") from None
    job = live_job(raw)
    if job is None:
        raise ConfigError(f"export job {job_id} names no destination dataset: nothing to import")
    return job


def destination_name(ctx: Context, dataset: Mapping[str, Any], job: LiveJob) -> str:
    """The manifest name of the job's destination: a dataset the stack manages and declares."""
    name = manifest_name(dataset) if owner_stack(dataset) == ctx.stack else None
    if name is None or not any(d.key.name == name for d in ctx.manifests.datasets):
        raise ConfigError(
            f"export job {job.id} exports into dataset {job.dataset_id}, which stack "
            f"{ctx.stack} does not manage: import the dataset first "
            f"(reconciler import Dataset NAME {job.dataset_id})"
        )
    return name


def recorded_as(dataset: Mapping[str, Any], job_id: str) -> str | None:
    """The manifest the dataset's inventory records ``job_id`` under, if any."""
    for name, entries in read(tags_of(dataset)).items():
        if any(e.job_id == job_id for e in entries):
            return name
    return None


def declared_job(manifests: ManifestSet, name: str) -> DesiredExportJob | None:
    return next((j for j in manifests.export_jobs if j.key.name == name), None)


FOLDERS = {DATASET: "datasets", EXPORT_JOB: "export-jobs"}  # where import writes each kind


def manifest_file(ctx: Context, kind: str, name: str) -> Path:
    """The new manifest's path; an existing file that does not declare it is never touched."""
    folder = ctx.root if ctx.root.is_dir() else ctx.root.parent
    file = folder / FOLDERS[kind] / f"{name}.yaml"
    if file.exists():
        raise ConfigError(
            f"{display_path(file)} exists but declares no {kind} {name}; "
            "not overwriting it: choose another NAME or fix the file"
        )
    return file


def check_declared(desired: DesiredExportJob, dataset_name: str, job: LiveJob) -> None:
    """A manifest NAME in the tree must send the job's destination and request."""
    if desired.dataset != dataset_name:
        raise ConfigError(
            f"ExportJob/{desired.key.name} ({desired.source}) exports into "
            f"{desired.dataset or desired.body['destination']}, job {job.id} into Dataset/"
            f"{dataset_name}: nothing imported"
        )
    body = {k: v for k, v in desired.body.items() if k != "destination"}
    paths = differences(job.request, {**body, "destination": job.request.get("destination")})
    if paths:
        raise ConfigError(
            f"ExportJob/{desired.key.name} ({desired.source}) does not match job {job.id} "
            f"({', '.join(paths)}): nothing imported; make the manifest match the job "
            "(or import it under another NAME)"
        )


def write_manifest(
    ctx: Context, file: Path, name: str, dataset_name: str, job: LiveJob
) -> ManifestSet:
    """Write the job's manifest (never over a file) and take it back if the tree no longer
    validates with it."""
    folder = ctx.root if ctx.root.is_dir() else ctx.root.parent
    schema = folder / "schemas" / "manifest.schema.json"
    head = ["# yaml-language-server: $schema=../schemas/manifest.schema.json"]
    head = head if schema.exists() else []
    head.append(f"Imported from export job {job.id} ({job.status}) on target {ctx.session.target}.")
    document = job_document(Request(name, (job,)), dataset_name)
    # the request comes from the platform, which may echo a secret back
    text = REDACTOR.text(new_file([document], [head]))
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    try:
        return ctx.reload()
    except ManifestError:
        file.unlink()
        raise


def adopt_change(
    desired: DesiredExportJob, job: LiveJob, dataset: Mapping[str, Any], etag: str | None
) -> Change:
    """Record ``job`` under the manifest in its dataset's inventory, with the digest the
    planner computes for the declaration (the manifest's tag keeps what it holds, the record
    goes last)."""
    tag = job_tag(desired.key.name)
    before = tags_of(dataset).get(tag, [])
    values = [*before, Entry(recorded_digest(desired, job.dataset_id), job.id).text()]
    return Change(
        desired.key, Action.ADOPT, IMPORTED, id=job.id,
        before={"tags": {tag: before}}, after={"tags": {tag: values}}, paths=(f"tags.{tag}",),
        dataset_patch=(set_tag(tag, values),), patch_dataset_id=job.dataset_id, if_match=etag,
    )  # fmt: skip


def show(name: str, job: LiveJob, file: Path | None) -> None:
    preview = Change(ResourceKey(EXPORT_JOB, name), Action.ADOPT, IMPORTED, id=job.id)
    for line in change_lines(preview, use_colour(sys.stdout)):
        print(line)
    print(f"        job {job.id} ({job.status}) into dataset {job.dataset_id}")
    print(f"        + tags.{job_tag(name)}: a record of job {job.id}")
    if file is not None:
        print(f"        writes {display_path(file)}")


async def adopt(ctx: Context, client: AepClient, change: Change) -> ExitCode:
    """Apply one ADOPT change (a dataset's or a job's, for ``import``) and say so."""
    plan = Plan(ctx.stack, ctx.session.target, (change,))
    result = await Applier(client, parallelism=1, on_event=adoption_printer("import")).apply(plan)
    if result.failed:
        return ExitCode.ERROR
    print(f"Import complete: {change.key} ({change.id}) is managed by stack {ctx.stack}.")
    return ExitCode.OK


async def import_job(ctx: Context, name: str, job_id: str, approval: Approval) -> ExitCode:
    desired = declared_job(ctx.manifests, name)
    async with ctx.session.client() as aep, Lease(aep, ctx.stack) as lease:  # no apply meanwhile
        job = await fetch_job(aep, job_id, ctx.session.target)
        dataset, etag = await aep.get_dataset(job.dataset_id)
        dataset_name = destination_name(ctx, dataset, job)
        owner = recorded_as(dataset, job.id)
        if owner == name:
            print(f"Export job {job.id} is already managed by stack {ctx.stack} as {name}; "
                  "nothing to do.")  # fmt: skip
            return ExitCode.OK
        if owner is not None:
            raise ConfigError(f"stack {ctx.stack} already manages export job {job.id} as {owner}")
        file = None if desired is not None else manifest_file(ctx, EXPORT_JOB, name)
        manifests, _ = await resolve_references(ctx, aep, ctx.manifests)
        if desired is not None:
            desired = declared_job(manifests, name)
            assert desired is not None
            check_declared(desired, dataset_name, job)
        show(name, job, file)
        question = f"Adopt this export job on {ctx.session.target}?"
        confirm(ctx.session, approval, verb="import", question=question)
        if file is not None:
            written = write_manifest(ctx, file, name, dataset_name, job)
            print(f"wrote {display_path(file)}")
            try:
                resolved, _ = await resolve_references(ctx, aep, written)
            except ManifestError:
                file.unlink()
                raise
            desired = declared_job(resolved, name)
            assert desired is not None  # the file just written declares it
        assert desired is not None
        code = await adopt(ctx, aep, adopt_change(desired, job, dataset, etag))
        if code and file is not None:
            file.unlink()  # nothing recorded: a manifest would make the next plan create a job
            print(f"removed {display_path(file)} again: the job was not adopted")
        if lease.lock_id is not None:
            await write_record(aep, ctx.stack, lease.lock_id)
        return code
