"""Export job results → text and JSON (``reconciler output``, the end of ``apply --wait``)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aep_reconciler.results import JobResult


def counts_text(total: int | None, by_namespace: Mapping[str, int]) -> str:
    if total is None:
        return "no profile counts"
    noun = "profile" if total == 1 else "profiles"
    if not by_namespace:
        return f"{total:,} {noun}"
    parts = ", ".join(f"{ns} {n:,}" for ns, n in sorted(by_namespace.items()))
    return f"{total:,} {noun} ({parts})"


def job_line(
    name: str, job_id: str, status: str, total: int | None, by_ns: Mapping[str, int]
) -> str:
    """One job's outcome, as ``apply --wait`` ends with it."""
    tail = f": {counts_text(total, by_ns)}" if status == "SUCCEEDED" else ""
    return f"{name} (job {job_id}) {status}{tail}"


def result_text(result: JobResult) -> str:
    if result.job_id is None:
        return f"{result.key}: no export job on the target yet; run apply\n"
    lines = [
        job_line(
            str(result.key), result.job_id, str(result.status), result.profiles, result.by_namespace
        )
    ]
    lines += [f"  error: {e}" for e in result.errors]
    if result.status in ("NEW", "PROCESSING"):
        lines.append("  not finished: run output again later, or apply --wait")
    for batch in result.batches:
        segment = f" (segment {batch.segment_id})" if batch.segment_id else ""
        state = batch.status or "not readable yet"
        records = "" if batch.records is None else f", {batch.records:,} records"
        lines.append(f"  batch {batch.id}{segment}: {state}{records}")
        for file_ in batch.files:
            for part in file_.parts:
                where = f" → {part.saved}" if part.saved else ""
                lines.append(f"    file {file_.id} {part.name} ({part.length:,} bytes){where}")
    return "\n".join(lines) + "\n"


def result_json(result: JobResult) -> str:
    return json.dumps(result.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
