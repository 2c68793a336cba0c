"""The results of a manifest's latest export job, read from the platform, and downloaded.

The job is the one plan matches to the manifest (the same identity rules, read the same
way); its batches come from Catalog and their files from the Data Access API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from aep_reconciler.diagnostics import ApiError, ConfigError
from aep_reconciler.pipeline import Context, plan_for
from aep_reconciler.plan import PlanOptions
from aep_reconciler.remote import AepClient
from aep_reconciler.resources import ResourceKey
from aep_reconciler.results import (
    BatchResult,
    FileResult,
    JobResult,
    PartResult,
    PreviewResult,
    batch_refs,
    exported_counts,
)
from aep_reconciler.wire import job_dataset_id

Progress = Callable[[str, int, int], None]  # (part, bytes done, bytes in all)


async def latest_job_id(ctx: Context, client: AepClient, key: ResourceKey) -> str | None:
    """The live job plan matches to ``key`` (the latest, FAILED ones included), or None."""
    if ctx.manifests.source_of(key) is None:
        raise ConfigError(f"no {key.kind} manifest named '{key.name}' in {ctx.root}")
    plan = await plan_for(ctx, client, PlanOptions())
    for change in plan.changes:
        if change.key == key:
            return change.id or (change.known_job_ids[0] if change.known_job_ids else None)
    return None


async def _files(client: AepClient, batch_id: str) -> tuple[FileResult, ...]:
    found = []
    for entry in await client.list_batch_files(batch_id):
        file_id = str(entry.get("dataSetFileId", ""))
        parts = await client.list_file_parts(file_id)
        found.append(
            FileResult(
                file_id,
                tuple(PartResult(str(p["name"]), int(p.get("length", 0))) for p in parts),
            )
        )
    return tuple(found)


async def _batch(client: AepClient, batch_id: str, segment: str | None) -> BatchResult:
    try:
        batch = await client.get_batch(batch_id)
    except ApiError as exc:
        if exc.status == 404:  # not written yet
            return BatchResult(batch_id, segment)
        raise
    metrics = batch.get("metrics") or {}
    records = metrics.get("recordsWritten") if isinstance(metrics, dict) else None
    return BatchResult(
        batch_id,
        segment,
        str(batch.get("status")),
        int(records) if isinstance(records, int) else None,
        await _files(client, batch_id),
    )


async def gather(ctx: Context, client: AepClient, key: ResourceKey) -> JobResult:
    job_id = await latest_job_id(ctx, client, key)
    if job_id is None:
        return JobResult(key, None)
    job = await client.get_export_job(job_id)
    total, by_ns = exported_counts(job)
    errors = tuple(
        str(e.get("msg") or e.get("message") or e) if isinstance(e, dict) else str(e)
        for e in job.get("errors") or []
    )
    status = str(job.get("status"))
    batches = (
        tuple([await _batch(client, b, s) for b, s in batch_refs(job)])
        if status == "SUCCEEDED"
        else ()
    )
    return JobResult(
        key,
        job_id,
        status,
        job.get("creationTime"),
        job.get("updateTime"),
        total,
        by_ns,
        errors,
        batches,
        job_dataset_id(job),
    )


async def _last_batch(client: AepClient, dataset_id: str) -> str | None:
    dataset, _ = await client.get_dataset(dataset_id)
    last = dataset.get("lastBatchId")
    return str(last) if last else None


async def preview(client: AepClient, result: JobResult, rows: int) -> PreviewResult:
    """Up to ``rows`` rows of the job's own batch, or why none are shown.

    The Data Access preview reads the dataset's latest batch, whoever wrote it: when that
    is not one of the job's batches, before or after the rows are read (another export may
    land meanwhile), no rows are shown rather than someone else's.
    """
    dataset = result.dataset_id
    if result.status != "SUCCEEDED":
        return PreviewResult(None, withheld=f"the job has not succeeded ({result.status})")
    if dataset is None:
        return PreviewResult(None, withheld="the job's answer names no destination dataset")
    own = {b.id for b in result.batches}
    before = await _last_batch(client, dataset)
    if before not in own:
        return PreviewResult(before, withheld=_not_own(dataset, before))
    answer = await client.preview_dataset(dataset)
    after = await _last_batch(client, dataset)
    if after != before:
        return PreviewResult(after, withheld=_not_own(dataset, after))
    return PreviewResult(before, tuple(answer[:rows]))


def _not_own(dataset: str, batch: str | None) -> str:
    latest = f"batch {batch}" if batch else "no batch"
    return (
        f"dataset {dataset}'s latest batch is {latest}, not this job's; "
        "the preview shows only a dataset's latest batch (--download has this job's files)"
    )


def _reporter(on_progress: Progress, part: PartResult) -> Callable[[int], None]:
    return lambda done: on_progress(part.name, done, part.length)


async def download(
    client: AepClient, result: JobResult, folder: Path, on_progress: Progress
) -> JobResult:
    """Save every part under ``folder/<job id>/<batch id>/``; parts already there resume."""
    batches = []
    for batch in result.batches:
        files = []
        for file_ in batch.files:
            parts = []
            for part in file_.parts:
                dest = folder / str(result.job_id) / batch.id / part.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                await client.download_part(
                    file_.id, part.name, part.length, dest, _reporter(on_progress, part)
                )
                parts.append(replace(part, saved=str(dest)))
            files.append(replace(file_, parts=tuple(parts)))
        batches.append(replace(batch, files=tuple(files)))
    return replace(result, batches=tuple(batches))
