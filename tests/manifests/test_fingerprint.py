"""Equal export requests share a fingerprint whatever their spelling; real changes do not."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aep_reconciler.fingerprint import effective_request, fingerprint

BODY: dict[str, Any] = {
    "fields": "identities.id,personalEmail.address",
    "mergePolicy": {"id": "mp-1", "version": 1},
    "filter": {
        "segments": [
            {"segmentId": "seg-b", "status": ["exited"]},
            {"segmentId": "seg-a"},
        ],
        "segmentQualificationTime": {"startTime": "2024-09-01T00:00:00Z"},
        "fromIngestTimestamp": "2024-08-25T13:22:04-07:00",
    },
    "additionalFields": {"eventList": {"fields": "b.x,a.y"}},
    "destination": {"datasetId": "5b020a27e7040801dedba61b"},
    "schema": {"name": "_xdm.context.profile"},
}


def _live_job() -> dict[str, Any]:
    """The body as the embedded platform answers a get-one: dataSetId, defaults, extras."""
    return {
        "id": 24115,
        "jobType": "BATCH",
        "status": "SUCCEEDED",
        "requestId": "r-1",
        "fields": "personalEmail.address, identities.id",
        "mergePolicy": {"id": "mp-1", "version": 1},
        "filter": {
            "segments": [
                {"segmentId": "seg-a", "segmentNs": "ups", "status": ["realized", "existing"]},
                {"segmentId": "seg-b", "segmentNs": "ups", "status": ["exited"]},
            ],
            "segmentQualificationTime": {"startTime": "2024-09-01T02:00:00+02:00"},
            "fromIngestTimestamp": "2024-08-25T20:22:04Z",
            "emptyProfiles": False,
        },
        "additionalFields": {"eventList": {"fields": "a.y,b.x,a.y"}},
        "destination": {
            "dataSetId": "5b020a27e7040801dedba61b",
            "segmentPerBatch": False,
            "batchId": "01ABC",
        },
        "schema": {"name": "_xdm.context.profile"},
        "evaluationInfo": {"segmentation": False},
        "metrics": {"totalTime": {"startTimeInMs": 1, "endTimeInMs": 2, "totalTimeInMs": 1}},
        "creationTime": 1700000000000,
        "updateTime": 1700000001000,
    }


def test_live_job_has_the_fingerprint_of_its_body() -> None:
    assert effective_request(_live_job()) == effective_request(BODY)
    assert fingerprint(_live_job()) == fingerprint(BODY)


def test_effective_request_fills_defaults_and_normalises() -> None:
    req = effective_request(BODY)
    assert req["filter"]["segments"][0] == {
        "segmentId": "seg-a",
        "segmentNs": "ups",
        "status": ["existing", "realized"],
    }
    assert req["filter"]["fromIngestTimestamp"] == "2024-08-25T20:22:04Z"
    assert req["additionalFields"]["eventList"]["fields"] == "a.y,b.x"
    assert req["destination"] == {"datasetId": "5b020a27e7040801dedba61b", "segmentPerBatch": False}
    assert req["evaluationInfo"] == {"segmentation": False}
    assert "id" not in req and "status" not in req and "metrics" not in req


def test_absent_and_default_filter_are_the_same_request() -> None:
    bare = {k: v for k, v in BODY.items() if k != "filter"}
    explicit = {**bare, "filter": {"emptyProfiles": False}}
    assert fingerprint(bare) == fingerprint(explicit)


def _changed(path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    *parents, last = path.split(".")
    node: Any = body
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("fields", "identities.id"),
        ("mergePolicy.version", 2),
        ("mergePolicy.id", "mp-2"),
        ("filter.segments.0.status", ["realized"]),
        ("filter.segments.1.segmentNs", "aam"),
        ("filter.fromIngestTimestamp", "2024-08-25T13:22:05-07:00"),
        ("filter.emptyProfiles", True),
        ("destination.datasetId", "another"),
        ("destination.segmentPerBatch", True),
        ("schema.name", "_xdm.context.other"),
        ("evaluationInfo.segmentation", True),
        ("additionalFields.eventList.fields", "a.y"),
    ],
)
def test_a_real_change_changes_the_fingerprint(path: str, value: Any) -> None:
    assert fingerprint(_changed(path, value)) != fingerprint(BODY)


def test_fingerprint_is_a_sha256_hex_digest() -> None:
    digest = fingerprint(BODY)
    assert len(digest) == 64 and int(digest, 16) >= 0
