"""What a stack owns on the platform, as ``reconciler ls`` shows it (text or JSON).

There is no state file: the inventory is the owned datasets (by their ownership tags) and
the export jobs in them whose ids the dataset's job inventory records (``reconciler-job.*``
tags), by manifest name, with the latest run's status. Jobs someone else started into an
owned dataset are counted, not listed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aep_reconciler.inventory import read
from aep_reconciler.live import LiveState
from aep_reconciler.ownership import manifest_name, tags_of
from aep_reconciler.resources import DATASET, EXPORT_JOB

FORMAT_VERSION = "1.0"


@dataclass(frozen=True)
class JobRow:
    name: str  # the manifest name the stack created it for
    id: str  # the latest run
    status: str
    created_ms: int
    runs: int  # jobs with this name in the dataset, the latest included


@dataclass(frozen=True)
class DatasetRow:
    name: str
    id: str
    title: str  # the dataset's own name on the platform
    jobs: tuple[JobRow, ...]
    unmanaged: int  # jobs in it the stack did not create


def rows(live: LiveState) -> list[DatasetRow]:
    out = []
    for dataset_id, dataset in live.datasets.items():
        owners = {
            entry.job_id: name
            for name, entries in read(tags_of(dataset)).items()
            for entry in entries
            if entry.job_id is not None
        }
        runs: dict[str, list[Any]] = {}
        unmanaged = 0
        for job in live.jobs_into(dataset_id):  # newest first
            owner = owners.get(job.id)
            if owner is None:
                unmanaged += 1
            else:
                runs.setdefault(owner, []).append(job)
        jobs = tuple(
            JobRow(name, found[0].id, found[0].status, found[0].creation_time, len(found))
            for name, found in sorted(runs.items())
        )
        name = manifest_name(dataset) or "(no name)"
        title = str(dataset.get("name") or "")
        out.append(DatasetRow(name, dataset_id, title, jobs, unmanaged))
    return sorted(out, key=lambda r: (r.name, r.id))


def _time(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _table(lines: Sequence[Sequence[str]], indent: str) -> list[str]:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]


def ls_text(stack: str, target: str, found: Sequence[DatasetRow], lease: str | None) -> str:
    jobs = sum(len(r.jobs) for r in found)
    lines = [
        f"Stack {stack} on target {target}: {_count(len(found), 'dataset')}, "
        f"{_count(jobs, 'export job')}.",
    ]
    for row in found:
        lines += ["", f"{DATASET}/{row.name}  {row.id}  {json.dumps(row.title)}"]
        cells = [
            [f"{EXPORT_JOB}/{j.name}", f"job {j.id}", j.status, _time(j.created_ms)]
            + ([f"({j.runs} runs)"] if j.runs > 1 else [""])
            for j in row.jobs
        ]
        lines += _table(cells, "  ") if cells else []
        if row.unmanaged:
            lines.append(f"  {_count(row.unmanaged, 'job')} not created by the stack (see drift)")
    lines += ["", f"Lease: {lease or 'free'}."]
    return "\n".join(lines) + "\n"


def ls_json(stack: str, target: str, found: Sequence[DatasetRow], lease: str | None) -> str:
    doc = {
        "format_version": FORMAT_VERSION,
        "stack": stack,
        "target": target,
        "datasets": [
            {
                "name": r.name,
                "id": r.id,
                "title": r.title,
                "unmanagedJobs": r.unmanaged,
                "jobs": [
                    {
                        "name": j.name,
                        "id": j.id,
                        "status": j.status,
                        "created": _time(j.created_ms),
                        "runs": j.runs,
                    }
                    for j in r.jobs
                ],
            }
            for r in found
        ],
        "lease": lease,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
