"""Export job lifecycle (B.5): the outcome fixed at creation, the metrics of each status."""

from __future__ import annotations

import uuid
from typing import Any

ERROR_NOT_PROFILE_READY = {
    "code": "0100000003",
    "msg": "Export destination dataset must be built on the profile union schema "
    "(https://ns.adobe.com/xdm/context/profile__union) with fileDescription.persisted true",
    "callStack": "com.adobe.aep.unifiedprofile.export.DatasetValidator",
}
ERROR_DATASET_DELETED = {
    "code": "0100000004",
    "msg": "Export destination dataset was deleted while the export job was running",
    "callStack": "com.adobe.aep.unifiedprofile.export.BatchWriter",
}
ERROR_CANCELLED = {
    "code": "0100000008",
    "msg": "Export job was cancelled",
    "callStack": "com.adobe.aep.unifiedprofile.export.JobController",
}


def batch_id() -> str:
    return uuid.uuid4().hex


def new_result(
    request: dict[str, Any], merge_policy: dict[str, Any] | None, error: dict[str, Any] | None
) -> dict[str, Any]:
    """What the platform knows of a job beyond its request, fixed at creation.

    Batch ids are allocated at once: Adobe's create answer (status NEW) already carries
    them, and FAILED jobs keep theirs.
    """
    result: dict[str, Any] = {
        "computeGatewayJobId": {"exportJob": str(uuid.uuid4()), "pushJob": str(uuid.uuid4())}
    }
    if merge_policy is not None:
        result["mergePolicy"] = merge_policy
    if error is not None:
        result["errors"] = [error]
    segments = (request.get("filter") or {}).get("segments") or []
    if request["destination"].get("segmentPerBatch") and segments:
        result["batches"] = [
            {
                "segmentId": s["segmentId"],
                "segmentNs": s.get("segmentNs", "ups"),
                "status": s.get("status", ["realized", "existing"]),
                "batchId": batch_id(),
            }
            for s in segments
        ]
    else:
        result["batchId"] = batch_id()
    return result


def last_batch(result: dict[str, Any]) -> str | None:
    batches = result.get("batches")
    if batches:
        return str(batches[-1]["batchId"])
    value = result.get("batchId")
    return None if not value else str(value)


def _window(start: int, end: int) -> dict[str, int]:
    return {"startTimeInMs": start, "endTimeInMs": end, "totalTimeInMs": end - start}


def metrics(row: Any, result: dict[str, Any]) -> dict[str, Any]:
    """``metrics`` as of the job's status; NEW shows only when it started (the guide)."""
    status, creation = row["status"], row["creation_ms"]
    if status == "NEW":
        return {"totalTime": {"startTimeInMs": creation}}
    if status == "PROCESSING":
        return {
            "totalTime": {"startTimeInMs": creation},
            "profileExportTime": {"startTimeInMs": row["start_ms"]},
        }
    end = row["end_ms"]
    if status == "FAILED":
        return {"totalTime": _window(creation, end)}
    return {"totalTime": _window(creation, end), **exported(row, result)}


def exported(row: Any, result: dict[str, Any]) -> dict[str, Any]:
    """What a SUCCEEDED job reports of its export: the windows and the profile counters.

    The export runner records them in ``result["exported"]``; a job finished without it
    (seeded, or from before the profile store) reports its scheduled windows and zeros.
    """
    if "exported" in result:
        return dict(result["exported"])
    start, end = row["start_ms"], row["end_ms"]
    split = start + (end - start) * 3 // 5
    return {
        "profileExportTime": _window(start, split),
        "aCPDatasetWriteTime": _window(split, end),
        "totalExportedProfileCounter": 0,
        "exportedProfileByNamespaceCounter": {},
    }
