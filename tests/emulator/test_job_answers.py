"""Job answers shaped like Adobe's examples (aep-api.md A.4, "What Adobe's example answers show").

Sources named per test: the guide ("Export profile data using the API", ../shared/seed/),
Adobe's Profile "Export jobs endpoint" page, the Segmentation "export jobs" page, and
segmentation.yaml (``ExportJobResponse``).
"""

from __future__ import annotations

from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock, Variants
from aep_reconciler.emulator.merge_policies import DEFAULT_POLICY_ID
from tests.emulator.emu_support import JOBS, Api

pytestmark = pytest.mark.anyio

RESOLVED = Variants.parse(["job-echo=resolved"])  # the default, named where it is the subject
SPARSE = Variants.parse(["job-echo=sparse"])
VERBATIM = Variants.parse(["job-echo=verbatim"])
FULL_REQUEST: dict[str, Any] = {
    "fields": "identities.id,personalEmail.address",
    "filter": {
        "segments": [{"segmentId": "seg-1", "segmentNs": "ups", "status": ["realized"]}],
        "segmentQualificationTime": {"startTime": "2024-01-01T00:00:00Z"},
        "fromIngestTimestamp": "2024-01-01T00:00:00Z",
        "emptyProfiles": True,
    },
    "additionalFields": {"eventList": {"fields": "environment.browserDetails.name"}},
    "schema": {"name": "_xdm.context.profile"},
    "evaluationInfo": {"segmentation": True},
}


async def create(api: Api, ds: str, **fields: Any) -> dict[str, Any]:
    body = {**FULL_REQUEST, "destination": {"datasetId": ds}, **fields}
    resp = await api.call("POST", JOBS, json=body)
    assert resp.status_code == 200, resp.text
    job: dict[str, Any] = resp.json()
    return job


async def get(api: Api, job_id: int) -> dict[str, Any]:
    job: dict[str, Any] = (await api.call("GET", f"{JOBS}/{job_id}")).json()
    return job


async def listed(api: Api, job_id: int) -> dict[str, Any]:
    records = (await api.call("GET", JOBS)).json()["records"]
    return next(r for r in records if r["id"] == job_id)


@pytest.mark.parametrize("variants", [RESOLVED, SPARSE])
async def test_every_answer_names_the_sandbox_default_merge_policy_resolved(api: Api) -> None:
    """Guide and Profile page: every job answer carries ``mergePolicy`` with ``version``,
    the create answer even without one in the request; never ``evaluationInfo``."""
    ds = await api.create_dataset()
    job = await create(api, ds)
    for answer in (job, await get(api, job["id"]), await listed(api, job["id"])):
        assert answer["mergePolicy"] == {"id": DEFAULT_POLICY_ID, "version": 1}
        assert "evaluationInfo" not in answer


@pytest.mark.parametrize("variants", [RESOLVED])
async def test_a_named_policy_without_version_resolves_to_its_latest(api: Api) -> None:
    """Guide: "mergePolicy.version … omitted = the latest version"."""
    ds = await api.create_dataset()
    job = await create(api, ds, mergePolicy={"id": DEFAULT_POLICY_ID})
    assert job["mergePolicy"] == {"id": DEFAULT_POLICY_ID, "version": 1}


@pytest.mark.parametrize(
    "policy", [{"id": "no-such-policy"}, {"id": DEFAULT_POLICY_ID, "version": 7}]
)
async def test_an_unknown_merge_policy_ends_failed_with_an_error(
    api: Api, clock: ManualClock, policy: dict[str, Any]
) -> None:
    """aep-api.md B.5: a job naming an unknown merge policy ends FAILED with ``errors[]``."""
    ds = await api.create_dataset()
    job = await create(api, ds, mergePolicy=policy)
    assert job["status"] == "NEW"
    clock.advance(60)
    failed = await get(api, job["id"])
    assert failed["status"] == "FAILED"
    assert [e["code"] for e in failed["errors"]] == ["0100000006"]
    assert policy["id"] in failed["errors"][0]["msg"]


@pytest.mark.parametrize("variants", [RESOLVED])
async def test_the_create_answer_drops_what_the_guides_create_answer_drops(api: Api) -> None:
    """Guide and Profile page create answers: no ``fields``, ``additionalFields`` or time
    filters; ``filter.segments`` stays. Get-one and list keep the request
    (segmentation.yaml ``ExportJobResponse`` lists ``fields`` and ``additionalFields``)."""
    ds = await api.create_dataset()
    job = await create(api, ds)
    assert "fields" not in job and "additionalFields" not in job
    assert job["filter"] == {"segments": FULL_REQUEST["filter"]["segments"]}
    for kept in (await get(api, job["id"]), await listed(api, job["id"])):
        assert kept["fields"] == FULL_REQUEST["fields"]
        assert kept["additionalFields"] == FULL_REQUEST["additionalFields"]
        assert kept["filter"] == FULL_REQUEST["filter"]


@pytest.mark.parametrize("variants", [SPARSE])
async def test_sparse_echo_answers_every_call_like_the_guides_create_answer(api: Api) -> None:
    """Variant job-echo=sparse: the guide's get-one example (job 24115) lacks ``fields`` too."""
    ds = await api.create_dataset()
    job = await create(api, ds)
    for answer in (job, await get(api, job["id"]), await listed(api, job["id"])):
        assert "fields" not in answer and "additionalFields" not in answer
        assert answer["filter"] == {"segments": FULL_REQUEST["filter"]["segments"]}


@pytest.mark.parametrize("variants", [VERBATIM])
async def test_verbatim_echo_keeps_the_request_and_adds_no_policy(api: Api) -> None:
    """Variant job-echo=verbatim: today's echo (compatibility); nothing resolved."""
    ds = await api.create_dataset()
    job = await create(api, ds)
    assert "mergePolicy" not in job
    assert job["evaluationInfo"] == {"segmentation": True}
    assert job["fields"] == FULL_REQUEST["fields"]


@pytest.mark.parametrize("variants", [RESOLVED, SPARSE, VERBATIM])
async def test_new_answers_carry_batch_id_gateway_ids_and_start_time(api: Api) -> None:
    """Guide and Profile page create answers (status NEW): ``destination.batchId``,
    ``computeGatewayJobId: {}``, ``metrics.totalTime.startTimeInMs``."""
    ds = await api.create_dataset()
    job = await create(api, ds)
    assert job["status"] == "NEW"
    assert job["computeGatewayJobId"] == {}
    assert job["metrics"] == {"totalTime": {"startTimeInMs": job["creationTime"]}}
    assert len(job["destination"]["batchId"]) == 32
    assert (await get(api, job["id"]))["destination"]["batchId"] == job["destination"]["batchId"]


async def test_segment_per_batch_create_answer_lists_batches(api: Api) -> None:
    """Guide create answer with ``segmentPerBatch: true``: ``destination.batches[]`` with a
    ``batchId`` per segment, already in status NEW."""
    ds = await api.create_dataset()
    segments = [{"segmentId": "a"}, {"segmentId": "b", "segmentNs": "aam", "status": ["exited"]}]
    job = await create(
        api,
        ds,
        filter={"segments": segments},
        destination={"datasetId": ds, "segmentPerBatch": True},
    )
    batches = job["destination"]["batches"]
    assert [(b["segmentId"], b["segmentNs"], b["status"]) for b in batches] == [
        ("a", "ups", ["realized", "existing"]),
        ("b", "aam", ["exited"]),
    ]
    assert all(len(b["batchId"]) == 32 for b in batches)
    assert "batchId" not in job["destination"]


async def test_failed_jobs_keep_their_batch_id(api: Api, clock: ManualClock) -> None:
    """Profile page list example: the FAILED job 722 carries ``destination.batchId``."""
    ds = await api.create_dataset(profile=False)
    job = await create(api, ds)
    clock.advance(60)
    failed = await listed(api, job["id"])
    assert failed["status"] == "FAILED"
    assert failed["destination"]["batchId"] == job["destination"]["batchId"]


async def test_succeeded_answers_report_exported_profile_counters(
    api: Api, clock: ManualClock
) -> None:
    """Segmentation "export jobs" page: finished jobs report
    ``metrics.totalExportedProfileCounter`` and ``exportedProfileByNamespaceCounter``."""
    ds = await api.create_dataset()
    job = await create(api, ds, filter={"emptyProfiles": True})  # every profile of the store
    clock.advance(60)
    done = await api.finished(job["id"])
    assert done["status"] == "SUCCEEDED"
    total = done["metrics"]["totalExportedProfileCounter"]
    by_namespace = done["metrics"]["exportedProfileByNamespaceCounter"]
    assert total > 0 and set(by_namespace) == {"CRMID", "ECID", "Email"}
    assert all(0 < n <= total for n in by_namespace.values())
    assert set(done["computeGatewayJobId"]) == {"exportJob", "pushJob"}
