"""What an export job produced, as plain data: its status, counts, batches and files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.resources import ResourceKey

FORMAT_VERSION = "1.0"


@dataclass(frozen=True)
class PartResult:
    """One file of a dataset file (Data Access ``?path=``), and where it was saved."""

    name: str
    length: int
    saved: str | None = None


@dataclass(frozen=True)
class FileResult:
    id: str  # dataSetFileId
    parts: tuple[PartResult, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    id: str
    segment_id: str | None = None  # with segmentPerBatch: the segment this batch holds
    status: str | None = None  # Catalog's batch status; None while it cannot be read yet
    records: int | None = None
    files: tuple[FileResult, ...] = ()


@dataclass(frozen=True)
class JobResult:
    key: ResourceKey
    job_id: str | None  # None: the manifest has no job on the target yet
    status: str | None = None
    created: int | None = None
    updated: int | None = None
    profiles: int | None = None
    by_namespace: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    batches: tuple[BatchResult, ...] = ()
    dataset_id: str | None = None  # the destination dataset

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "kind": self.key.kind,
            "name": self.key.name,
            "job": None
            if self.job_id is None
            else {
                "id": self.job_id,
                "status": self.status,
                "creationTime": self.created,
                "updateTime": self.updated,
                "errors": list(self.errors),
            },
            "profiles": self.profiles,
            "byNamespace": dict(sorted(self.by_namespace.items())),
            "batches": [
                {
                    "id": b.id,
                    "segmentId": b.segment_id,
                    "status": b.status,
                    "records": b.records,
                    "files": [
                        {
                            "id": f.id,
                            "parts": [
                                {"name": p.name, "length": p.length, "saved": p.saved}
                                for p in f.parts
                            ],
                        }
                        for f in b.files
                    ],
                }
                for b in self.batches
            ],
        }


@dataclass(frozen=True)
class PreviewResult:
    """The first rows of the job's batch (Data Access preview), or why none are shown."""

    batch_id: str | None  # the dataset's latest batch: the one the preview reads
    rows: tuple[Mapping[str, Any], ...] = ()
    withheld: str | None = None  # why no rows are shown; None when they are

    def to_json(self) -> dict[str, Any]:
        return {"batchId": self.batch_id, "rows": list(self.rows), "withheld": self.withheld}


def exported_counts(job: Mapping[str, Any]) -> tuple[int | None, dict[str, int]]:
    """``metrics.totalExportedProfileCounter`` and the per-namespace counts of a job answer."""
    metrics = job.get("metrics")
    if not isinstance(metrics, Mapping):
        return None, {}
    total = metrics.get("totalExportedProfileCounter")
    by_ns = metrics.get("exportedProfileByNamespaceCounter")
    counts = (
        {str(k): int(v) for k, v in by_ns.items() if isinstance(v, int | float)}
        if isinstance(by_ns, Mapping)
        else {}
    )
    return (int(total) if isinstance(total, int | float) else None), counts


def batch_refs(job: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(batch id, segment id) of every batch a job answer names (one, or one per segment)."""
    dest = job.get("destination")
    if not isinstance(dest, Mapping):
        return []
    batches = dest.get("batches")
    if isinstance(batches, list):
        return [
            (str(b["batchId"]), str(b["segmentId"]) if b.get("segmentId") else None)
            for b in batches
            if isinstance(b, Mapping) and b.get("batchId")
        ]
    batch = dest.get("batchId")
    return [(str(batch), None)] if batch else []
