"""Export jobs through HTTP: validation, the stored record, lifecycle on a manual clock, cancel."""

from __future__ import annotations

from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock, Variants
from aep_reconciler.emulator.merge_policies import DEFAULT_POLICY_ID
from tests.emulator.emu_support import DATASETS, JOBS, ORG, Api

pytestmark = pytest.mark.anyio


def body(dataset_id: str, **extra: Any) -> dict[str, Any]:
    base = {"destination": {"datasetId": dataset_id}, "schema": {"name": "_xdm.context.profile"}}
    return base | extra


async def get(api: Api, job_id: int) -> dict[str, Any]:
    resp = await api.call("GET", f"{JOBS}/{job_id}")
    assert resp.status_code == 200, resp.text
    job: dict[str, Any] = resp.json()
    return job


def assert_ups_400(resp: Any, needle: str) -> None:
    assert resp.status_code == 400, resp.text
    err = resp.json()
    assert set(err) == {"requestId", "errors", "type", "title", "status"}
    assert err["status"] == 400
    messages = [e["message"] for e in err["errors"]["400"]]
    assert all(e["code"] for e in err["errors"]["400"])
    assert any(needle in m for m in messages), messages


# The create answer under Adobe's shape (the default) and under the compatibility echo.
@pytest.mark.parametrize(
    "variants", [Variants(), Variants.parse(["job-echo=verbatim"])], ids=["resolved", "verbatim"]
)
async def test_create_answers_200_x_location_and_the_request_with_defaults(
    api: Api, clock: ManualClock, variants: Variants
) -> None:
    """seg.yaml: 200 with ``X-Location``; the guide: ``destination.dataSetId``, segment
    defaults filled in; get-one keeps the request (seg.yaml ``ExportJobResponse``)."""
    ds = await api.create_dataset()
    request = {
        "fields": "identities.id,personalEmail.address",
        "mergePolicy": {"id": DEFAULT_POLICY_ID, "version": 1},
        "filter": {
            "segments": [{"segmentId": "seg-1"}, {"segmentId": "seg-2", "status": ["exited"]}],
            "segmentQualificationTime": {"startTime": "2024-01-01T00:00:00Z"},
            "fromIngestTimestamp": "2024-01-01T00:00:00+02:00",
            "emptyProfiles": False,
        },
        "additionalFields": {"eventList": {"fields": "environment.browserDetails.name"}},
        "destination": {"datasetId": ds},
        "schema": {"name": "_xdm.context.profile"},
    }
    resp = await api.call("POST", JOBS, json=request, headers={"x-profile-instance-id": "p2"})
    assert resp.status_code == 200
    job = resp.json()
    assert resp.headers["X-Location"].endswith(f"/export/jobs/{job['id']}")
    assert isinstance(job["id"], int)
    assert (job["jobType"], job["status"], job["imsOrgId"]) == ("BATCH", "NEW", ORG)
    assert job["profileInstanceId"] == "p2"
    assert job["destination"] == {
        "dataSetId": ds,
        "segmentPerBatch": False,
        "batchId": job["destination"]["batchId"],
    }
    assert job["filter"]["segments"] == [
        {"segmentId": "seg-1", "segmentNs": "ups", "status": ["realized", "existing"]},
        {"segmentId": "seg-2", "segmentNs": "ups", "status": ["exited"]},
    ]
    assert (job["mergePolicy"], job["schema"]) == (request["mergePolicy"], request["schema"])
    assert job["creationTime"] == job["updateTime"] == clock.now_ms()
    assert job["requestId"]
    stored = await get(api, job["id"])
    for key in ("fields", "mergePolicy", "additionalFields", "schema"):
        assert stored[key] == request[key]
    assert stored["filter"]["fromIngestTimestamp"] == "2024-01-01T00:00:00+02:00"
    if variants.job_echo == "verbatim":  # the earlier echo: the stored request, defaults in
        assert job == stored and stored["evaluationInfo"] == {"segmentation": False}
    else:  # the guide's create answer leaves these out; no answer has evaluationInfo
        assert {"fields", "additionalFields", "evaluationInfo"}.isdisjoint(job)
        assert "fromIngestTimestamp" not in job["filter"] and "evaluationInfo" not in stored


async def test_ids_increase_across_tenants(api: Api) -> None:
    prod, dev = await api.create_dataset(), await api.create_dataset(sandbox="dev")
    first = await api.create_job(prod)
    second = await api.create_job(dev, sandbox="dev")
    third = await api.create_job(prod)
    assert first["id"] < second["id"] < third["id"]


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda b: b.pop("destination"), "destination"),
        (lambda b: b["destination"].pop("datasetId"), "destination.datasetId"),
        (lambda b: b.pop("schema"), "schema"),
        (lambda b: b["schema"].pop("name"), "schema.name"),
        (lambda b: b.update(filter={"fromIngestTimestamp": "yesterday"}), "RFC 3339"),
        (
            lambda b: b.update(filter={"segmentQualificationTime": {"endTime": "2024-13"}}),
            "RFC 3339",
        ),
        (
            lambda b: b.update(filter={"segments": [{"segmentId": "s", "status": ["gone"]}]}),
            "status",
        ),
        (lambda b: b.update(filter={"segments": [{"status": ["realized"]}]}), "segmentId"),
        (lambda b: b.update(fields="a..b"), "fields"),
        (lambda b: b.update(unknown=1), "unknown"),
        (lambda b: b["destination"].update(datasetId="0123456789abcdef01234567"), "does not exist"),
    ],
)
async def test_validation_errors_are_ups_400(api: Api, mutate: Any, needle: str) -> None:
    ds = await api.create_dataset()
    request = body(ds)
    mutate(request)
    assert_ups_400(await api.call("POST", JOBS, json=request), needle)
    assert (await api.call("GET", JOBS)).json()["records"] == []


async def test_invalid_json_is_ups_400(api: Api) -> None:
    resp = await api.call("POST", JOBS, content=b"{", headers={"Content-Type": "application/json"})
    assert_ups_400(resp, "JSON")


async def test_lifecycle_new_processing_succeeded(api: Api, clock: ManualClock) -> None:
    ds = await api.create_dataset()
    job = await api.create_job(ds)
    created = job["creationTime"]
    clock.advance(1.999)
    assert (await get(api, job["id"]))["status"] == "NEW"
    clock.advance(0.001)
    running = await get(api, job["id"])
    assert (running["status"], running["updateTime"]) == ("PROCESSING", created + 2000)
    assert running["destination"]["batchId"] == job["destination"]["batchId"]
    assert running["metrics"] == {
        "totalTime": {"startTimeInMs": created},
        "profileExportTime": {"startTimeInMs": created + 2000},
    }
    clock.advance(4.999)
    assert (await get(api, job["id"]))["status"] == "PROCESSING"
    clock.advance(60)
    done = await api.finished(job["id"])  # the export was written meanwhile, in the background
    assert (done["status"], done["updateTime"]) == ("SUCCEEDED", created + 7000)
    assert done["destination"]["batchId"] == job["destination"]["batchId"]
    assert len(done["destination"]["batchId"]) == 32
    windows = {"totalTime", "profileExportTime", "aCPDatasetWriteTime"}
    assert windows <= set(done["metrics"])
    total = done["metrics"]["totalTime"]
    assert total == {"startTimeInMs": created, "endTimeInMs": created + 7000, "totalTimeInMs": 7000}
    assert set(done["computeGatewayJobId"]) == {"exportJob", "pushJob"}
    dataset = (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]
    assert dataset["lastBatchId"] == done["destination"]["batchId"]
    assert dataset["lastBatchStatus"] == "success"


async def test_segment_per_batch_answers_one_batch_per_segment(
    api: Api, clock: ManualClock
) -> None:
    ds = await api.create_dataset()
    segments = [{"segmentId": "a"}, {"segmentId": "b", "segmentNs": "aam"}]
    job = await api.create_job(
        ds,
        destination={"datasetId": ds, "segmentPerBatch": True},
        filter={"segments": segments},
    )
    clock.advance(10)
    done = await get(api, job["id"])
    batches = done["destination"]["batches"]
    assert [(b["segmentId"], b["segmentNs"]) for b in batches] == [("a", "ups"), ("b", "aam")]
    assert len({b["batchId"] for b in batches}) == 2
    assert "batchId" not in done["destination"]


@pytest.mark.parametrize(
    "dataset_fields",
    [
        {"profile": False},
        {"fileDescription": {"persisted": False}},
        {"fileDescription": {}},
    ],
)
async def test_destination_not_profile_ready_fails(
    api: Api, clock: ManualClock, dataset_fields: dict[str, Any]
) -> None:
    ds = await api.create_dataset(**dataset_fields)
    job = await api.create_job(ds)
    clock.advance(3)
    assert (await get(api, job["id"]))["status"] == "PROCESSING"
    clock.advance(10)
    failed = await get(api, job["id"])
    assert failed["status"] == "FAILED"
    assert failed["errors"][0]["code"] and failed["errors"][0]["msg"]
    assert failed["destination"]["batchId"] == job["destination"]["batchId"]
    dataset = (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]
    assert "lastBatchId" not in dataset


async def test_deleting_the_dataset_fails_running_jobs_only(api: Api, clock: ManualClock) -> None:
    ds = await api.create_dataset()
    finished = await api.create_job(ds)
    clock.advance(10)
    await api.finished(finished["id"])
    running = await api.create_job(ds)
    clock.advance(3)
    assert (await api.call("DELETE", f"{DATASETS}/{ds}")).status_code == 200
    failed = await get(api, running["id"])
    assert failed["status"] == "FAILED"
    assert failed["updateTime"] == clock.now_ms()
    assert "deleted" in failed["errors"][0]["msg"]
    assert (await get(api, finished["id"]))["status"] == "SUCCEEDED"
    clock.advance(100)
    assert (await get(api, running["id"]))["status"] == "FAILED"


@pytest.mark.parametrize("job_id", ["999999", "abc"])
async def test_unknown_job_is_ups_404(api: Api, job_id: str) -> None:
    for method in ("GET", "DELETE"):
        resp = await api.call(method, f"{JOBS}/{job_id}")
        assert resp.status_code == 404
        assert resp.json()["errors"]["404"][0]["message"]
