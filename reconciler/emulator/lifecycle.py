"""Export job lifecycle (B.5): the outcome fixed at creation, the view computed per status."""

from __future__ import annotations

import uuid
from typing import Any, Literal

Spelling = Literal["dataSetId", "datasetId"]

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


def batch_id() -> str:
    return uuid.uuid4().hex


def new_result(request: dict[str, Any], error: dict[str, Any] | None) -> dict[str, Any]:
    """What the job will report once done; stored at creation, shown only when finished."""
    result: dict[str, Any] = {
        "computeGatewayJobId": {"exportJob": str(uuid.uuid4()), "pushJob": str(uuid.uuid4())}
    }
    if error is not None:
        result["errors"] = [error]
        return result
    destination = request["destination"]
    segments = (request.get("filter") or {}).get("segments") or []
    if destination.get("segmentPerBatch") and segments:
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
    return None if value is None else str(value)


def _window(start: int, end: int) -> dict[str, int]:
    return {"startTimeInMs": start, "endTimeInMs": end, "totalTimeInMs": end - start}


def metrics(creation_ms: int, start_ms: int, end_ms: int) -> dict[str, Any]:
    split = start_ms + (end_ms - start_ms) * 3 // 5
    return {
        "totalTime": _window(creation_ms, end_ms),
        "profileExportTime": _window(start_ms, split),
        "aCPDatasetWriteTime": _window(split, end_ms),
    }


def render(
    row: Any, body: dict[str, Any], result: dict[str, Any], spelling: Spelling
) -> dict[str, Any]:
    """The job object as of its materialised status, with the destination id spelled as asked."""
    status = row["status"]
    job = {"id": row["id"], **body, "status": status, "updateTime": row["update_ms"]}
    destination = dict(job["destination"])
    dataset = destination.pop("datasetId")
    job["destination"] = {spelling: dataset, **destination}
    if status == "NEW":
        return job
    job["computeGatewayJobId"] = result["computeGatewayJobId"]
    if status == "SUCCEEDED":
        for key in ("batchId", "batches"):
            if key in result:
                job["destination"][key] = result[key]
        job["metrics"] = metrics(row["creation_ms"], row["start_ms"], row["end_ms"])
    elif status == "FAILED":
        job["errors"] = result.get("errors", [])
        job["metrics"] = {"totalTime": _window(row["creation_ms"], row["end_ms"])}
    return job
