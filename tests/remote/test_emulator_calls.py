"""Every typed call against the embedded platform in process, and its error families."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from aep_reconciler.diagnostics import ApiError
from aep_reconciler.remote import AepClient

from .conftest import EMBEDDED, EMBEDDED_SECRET, Emulator, Recorder, dataset_body, job_body
from .fakes import run, using

CATALOG = "/data/foundation/catalog/dataSets"


def test_dataset_lifecycle(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        new_id = await c.create_dataset(dataset_body("orders", tags={"owner": ["gitops"]}))
        dataset, etag = await c.get_dataset(new_id)
        assert dataset["name"] == "orders" and dataset["version"] == "1.0.0"
        assert etag

        await c.patch_dataset(new_id, {"description": "all orders"}, if_match=etag)
        with pytest.raises(ApiError) as stale:
            await c.patch_dataset(new_id, {"description": "again"}, if_match=etag)
        assert stale.value.status == 412

        ops = [{"op": "replace", "path": "/name", "value": "orders-v2"}]
        await c.json_patch_dataset(new_id, ops)
        dataset, _ = await c.get_dataset(new_id)
        assert (dataset["name"], dataset["description"]) == ("orders-v2", "all orders")
        assert dataset["version"] != "1.0.0"

        await c.delete_dataset(new_id)
        with pytest.raises(ApiError) as gone:
            await c.get_dataset(new_id)
        assert gone.value.status == 404
        assert gone.value.call == f"GET {CATALOG}/{new_id}"

    run(using(emulator.client(), scenario))


def test_list_filters_pass_through(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        mine = await c.create_dataset(dataset_body("a", tags={"owner": ["me"], "env": ["dev"]}))
        yours = await c.create_dataset(dataset_body("b", tags={"owner": ["you"]}))
        other = await c.create_dataset(dataset_body("c"))
        assert set(await c.list_datasets()) == {mine, yours, other}
        assert list(await c.list_datasets(tags={"owner": "you"})) == [yours]
        assert list(await c.list_datasets(tags={"owner": "me", "env": "d*"})) == [mine]
        assert list(await c.list_datasets(name="c")) == [other]
        projected = await c.list_datasets(properties=["name"], tags={"owner": "*"})
        assert sorted(d["name"] for d in projected.values()) == ["a", "b"]
        assert all(set(d) == {"name"} for d in projected.values())

    run(using(emulator.client(), scenario))


def test_export_job_lifecycle(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        dataset_id = await c.create_dataset(dataset_body("profiles"))
        job = await c.create_export_job(job_body(dataset_id))
        assert job["status"] == "NEW"
        assert job["destination"]["datasetId"] == dataset_id  # the answer spells dataSetId
        assert "dataSetId" not in job["destination"]

        emulator.clock.advance(3600)
        done = await c.get_export_job(job["id"])
        while done["status"] == "PROCESSING":  # its export is written in the background
            await asyncio.sleep(0.01)
            done = await c.get_export_job(job["id"])
        assert done["status"] == "SUCCEEDED"
        assert done["destination"]["datasetId"] == dataset_id
        listed = await c.list_export_jobs(status="SUCCEEDED")
        assert [j["id"] for j in listed] == [job["id"]]
        assert await c.list_export_jobs(status="NEW") == []

        second = await c.create_export_job(job_body(dataset_id))
        await c.cancel_export_job(second["id"])  # the platform answers 204
        # Adobe does not say when a cancelled job leaves; the default keeps it listed 60 s.
        assert [j["id"] for j in await c.list_export_jobs()] == [second["id"], job["id"]]
        emulator.clock.advance(61)
        with pytest.raises(ApiError) as gone:
            await c.get_export_job(second["id"])
        assert gone.value.status == 404
        assert [j["id"] for j in await c.list_export_jobs()] == [job["id"]]

    run(using(emulator.client(), scenario))


def test_each_error_family_becomes_an_api_error(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        with pytest.raises(ApiError) as rfc7807:
            await c.get_dataset("0" * 24)
        assert rfc7807.value.status == 404 and "not found" in rfc7807.value.aep_message.lower()

        bad_job = {"destination": {"datasetId": "0" * 24}}  # no schema.name
        with pytest.raises(ApiError) as ups:
            await c.create_export_job(bad_job)
        assert ups.value.status == 400 and "schema" in ups.value.aep_message

    run(using(emulator.client(), scenario))

    other_org = dataclasses.replace(EMBEDDED, org_id="someone-else@AdobeOrg")
    with pytest.raises(ApiError) as gateway:
        run(using(emulator.client(conn=other_org), lambda c: c.list_datasets()))
    assert gateway.value.status == 403 and "403025" in gateway.value.aep_message


def test_a_wrong_secret_names_the_token_call_and_never_the_secret(emulator: Emulator) -> None:
    wrong = dataclasses.replace(EMBEDDED, client_secret="wrong-secret-value")
    with pytest.raises(ApiError) as info:
        run(using(emulator.client(conn=wrong), lambda c: c.list_datasets()))
    error = info.value
    assert (error.call, error.status) == ("POST /ims/token/v3", 401)
    assert "invalid_client" in error.aep_message
    for text in (str(error), repr(error), error.aep_message):
        assert "wrong-secret-value" not in text and EMBEDDED_SECRET not in text


def test_no_error_or_repr_carries_the_token_or_secret(emulator: Emulator) -> None:
    recorder = Recorder(emulator.app)
    c = emulator.client(transport=recorder)
    errors: list[ApiError] = []

    async def scenario(c: AepClient) -> None:
        for call in (
            c.get_dataset("nope"),
            c.create_export_job({"destination": {"datasetId": "x"}}),
            c.patch_dataset("nope", {"name": "n"}),
            c.cancel_export_job(12345),
        ):
            try:
                await call
            except ApiError as exc:
                errors.append(exc)

    run(using(c, scenario))
    tokens = {
        r.headers["authorization"].removeprefix("Bearer ")
        for r in recorder.requests
        if "authorization" in r.headers
    }
    assert len(errors) == 4 and len(tokens) == 1
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(c), repr(EMBEDDED)]
    for text in texts:
        for secret in (*tokens, EMBEDDED_SECRET):
            assert secret not in text
