"""How a job is answered: the request part as the ``job-echo`` variant shows it, plus status.

Adobe's examples (the guide and the Profile "export jobs" page): every answer carries a
resolved ``mergePolicy`` and none ``evaluationInfo``; the create answer leaves out ``fields``,
``additionalFields`` and the filter's time members; batch ids are there from creation on;
NEW answers carry ``computeGatewayJobId: {}``. ``verbatim`` echoes the request as sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aep_reconciler.emulator.lifecycle import metrics
from aep_reconciler.emulator.variants import JobEcho

Spelling = Literal["dataSetId", "datasetId"]
# What the guide's sparse answers leave out of the request.
_SPARSE_DROPS = ("fields", "additionalFields")


@dataclass(frozen=True)
class JobView:
    """One kind of answer: the destination id's spelling, the echo variant, create or not."""

    spelling: Spelling
    echo: JobEcho
    create: bool = False

    def request_part(self, body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        if self.echo == "verbatim":
            return {**body, "evaluationInfo": body.get("evaluationInfo", {"segmentation": False})}
        part = {k: v for k, v in body.items() if k != "evaluationInfo"}
        resolved = result.get("mergePolicy") or body.get("mergePolicy")
        if resolved is not None:
            part["mergePolicy"] = resolved
        if self.echo == "sparse" or self.create:
            for key in _SPARSE_DROPS:
                part.pop(key, None)
            segments = (body.get("filter") or {}).get("segments")
            part.pop("filter", None)
            if segments is not None:
                part["filter"] = {"segments": segments}
        return part

    def render(self, row: Any, body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """The job object as of its materialised status."""
        status = row["status"]
        job = {
            "id": row["id"],
            **self.request_part(body, result),
            "status": status,
            "updateTime": row["update_ms"],
        }
        destination = dict(job["destination"])
        dataset = destination.pop("datasetId")
        job["destination"] = {self.spelling: dataset, **destination, **_batches(result)}
        job["computeGatewayJobId"] = {} if status == "NEW" else result["computeGatewayJobId"]
        job["metrics"] = metrics(row, result)
        if status == "FAILED":
            job["errors"] = result.get("errors", [])
        return job


def _batches(result: dict[str, Any]) -> dict[str, Any]:
    if "batches" in result:
        return {"batches": result["batches"]}
    return {"batchId": result.get("batchId", "")}
