"""Export job results → text and JSON (``reconciler output``, the end of ``apply --wait``)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from aep_reconciler.results import JobResult, PreviewResult

ROW_INDENT = "    "
PREVIEW_WIDTH = 160  # a preview row's width when stdout is not a terminal


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


def result_text(
    result: JobResult, preview: PreviewResult | None = None, width: int = PREVIEW_WIDTH
) -> str:
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
    shown = "" if preview is None else preview_text(preview, width)
    return "\n".join(lines) + "\n" + shown


def elide(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one "…" when anything was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def preview_text(preview: PreviewResult, width: int) -> str:
    """The rows, one compact JSON object a line, each cut to ``width`` (the terminal's)."""
    if preview.withheld is not None:
        return f"  no preview: {preview.withheld}\n"
    if not preview.rows:
        return f"  preview of batch {preview.batch_id}: no rows\n"
    noun = "row" if len(preview.rows) == 1 else "rows"
    lines = [f"  preview of batch {preview.batch_id}, first {len(preview.rows)} {noun}:"]
    for row in preview.rows:
        compact = json.dumps(row, separators=(",", ":"), ensure_ascii=False)
        lines.append(elide(ROW_INDENT + compact, width))
    return "\n".join(lines) + "\n"


def result_json(result: JobResult, preview: PreviewResult | None = None) -> str:
    doc = result.to_json()
    if preview is not None:
        doc["preview"] = preview.to_json()
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
