"""Catalog datasets through HTTP: create, read-only fields, get, PATCH (both kinds), delete."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock
from aep_reconciler.wire import DATASET_READ_ONLY, PROFILE_UNION_SCHEMA
from tests.emulator.emu_support import CLIENT_ID, DATASETS, ORG, Api

pytestmark = pytest.mark.anyio

JSON_PATCH = {"Content-Type": "application/json-patch+json"}


async def get(api: Api, ds: str) -> tuple[dict[str, Any], str]:
    resp = await api.call("GET", f"{DATASETS}/{ds}")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert list(body) == [ds]
    return body[ds], resp.headers["E-Tag"]


async def test_create_answers_201_location_and_ref(api: Api) -> None:
    body = {"name": "orders", "schemaRef": {"id": PROFILE_UNION_SCHEMA}}
    resp = await api.call("POST", DATASETS, json=body)
    assert resp.status_code == 201
    (ref,) = resp.json()
    ds = ref.removeprefix("@/datasets/")
    assert ref == f"@/datasets/{ds}"  # the guide's spelling (dataset-ref: test_catalog_fidelity)
    assert re.fullmatch(r"[0-9a-f]{24}", ds)
    assert resp.headers["Location"].endswith(f"/dataSets/{ds}")


async def test_every_read_only_field_is_present(api: Api, clock: ManualClock) -> None:
    ds = await api.create_dataset("orders", tags={"owner": ["team-a"]}, description="d")
    doc, etag = await get(api, ds)
    assert DATASET_READ_ONLY - {"lastBatchId", "lastBatchStatus"} <= set(doc)
    assert doc["version"] == "1.0.0"
    assert doc["created"] == doc["updated"] == clock.now_ms()
    assert doc["createdClient"] == CLIENT_ID
    assert doc["createdUser"] == doc["updatedUser"] == f"{CLIENT_ID}@AdobeID"
    assert doc["imsOrg"] == ORG
    assert doc["state"] == "ACTIVE"
    assert doc["classification"] == {"dataBehavior": "record", "managedBy": "CUSTOMER"}
    assert doc["files"] == f"@/dataSetFiles?dataSetId={ds}"
    assert re.fullmatch(r"[0-9a-f-]{36}", doc["sandboxId"])
    assert doc["basePath"] and re.fullmatch(r"[0-9a-f]{24}", doc["viewId"])
    assert (doc["name"], doc["description"], doc["tags"]) == ("orders", "d", {"owner": ["team-a"]})
    assert etag == '"1.0.0"'


@pytest.mark.parametrize("field", sorted(DATASET_READ_ONLY))
async def test_writing_a_read_only_field_is_400(api: Api, field: str) -> None:
    body = {"name": "x", "schemaRef": {"id": "s"}, field: "1.0.0"}
    resp = await api.call("POST", DATASETS, json=body)
    assert resp.status_code == 400
    assert field in resp.json()["detail"]
    ds = await api.create_dataset()
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={field: "x"})
    assert resp.status_code == 400
    patch = [{"op": "replace", "path": f"/{field}", "value": "x"}]
    resp = await api.call(
        "PATCH", f"{DATASETS}/{ds}", content=json.dumps(patch), headers=JSON_PATCH
    )
    assert resp.status_code == 400
    assert (await get(api, ds))[0]["version"] == "1.0.0"


@pytest.mark.parametrize(
    "body",
    [
        {"schemaRef": {"id": "s"}},
        {"name": "", "schemaRef": {"id": "s"}},
        {"name": "x"},
        {"name": "x", "schemaRef": {"id": "s"}, "unknownField": 1},
        {"name": "x", "schemaRef": {"id": "s"}, "tags": {"k": "not-a-list"}},
        ["not", "an", "object"],
    ],
)
async def test_invalid_bodies_are_rfc7807_400(api: Api, body: Any) -> None:
    resp = await api.call("POST", DATASETS, json=body)
    assert resp.status_code == 400
    problem = resp.json()
    assert problem["type"] == "/placeholder/type/uri"
    assert (problem["status"], problem["title"]) == (400, "BadRequestError")
    assert problem["detail"]


async def test_malformed_json_is_400(api: Api) -> None:
    resp = await api.call(
        "POST", DATASETS, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400
    assert "JSON" in resp.json()["detail"]


async def test_unknown_dataset_is_404(api: Api) -> None:
    for method in ("GET", "DELETE"):
        resp = await api.call(method, f"{DATASETS}/0123456789abcdef01234567")
        assert resp.status_code == 404
        assert resp.json() == {
            "type": "/placeholder/type/uri",
            "status": 404,
            "title": "NotFoundError",
            "detail": "DataSet not found.",
        }
    resp = await api.call("PATCH", f"{DATASETS}/0123456789abcdef01234567", json={"name": "n"})
    assert resp.status_code == 404


async def test_partial_patch_replaces_top_level_fields_and_bumps_version(
    api: Api, clock: ManualClock
) -> None:
    ds = await api.create_dataset("a", tags={"owner": ["x"]}, description="old")
    clock.advance(5)
    patch = {"description": "new", "fileDescription": {"format": "parquet"}}
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json=patch)
    assert (resp.status_code, resp.json()) == (200, [f"@/datasets/{ds}"])
    doc, etag = await get(api, ds)
    assert (doc["description"], doc["fileDescription"]) == ("new", {"format": "parquet"})
    assert (doc["name"], doc["tags"]) == ("a", {"owner": ["x"]})
    assert doc["version"] == "1.0.1" and etag == '"1.0.1"'
    assert doc["updated"] == clock.now_ms() > doc["created"]
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"description": None})
    assert resp.status_code == 200
    doc, _ = await get(api, ds)
    assert "description" not in doc and doc["version"] == "1.0.2"


async def test_patch_without_change_keeps_the_version(api: Api) -> None:
    ds = await api.create_dataset("a", description="same")
    await api.call("PATCH", f"{DATASETS}/{ds}", json={"description": "same"})
    assert (await get(api, ds))[0]["version"] == "1.0.0"


async def test_patch_cannot_remove_the_name(api: Api) -> None:
    ds = await api.create_dataset("a")
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"name": None})
    assert resp.status_code == 400


async def test_if_match(api: Api) -> None:
    ds = await api.create_dataset("a")
    _, etag = await get(api, ds)
    stale = {"If-Match": '"0.9.9"'}
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"name": "b"}, headers=stale)
    assert resp.status_code == 412
    assert resp.json()["title"] == "PreconditionFailedError"
    assert (await get(api, ds))[0]["name"] == "a"
    fresh = {"If-Match": etag}
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"name": "b"}, headers=fresh)
    assert resp.status_code == 200
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"name": "c"}, headers=fresh)
    assert resp.status_code == 412


async def test_json_patch_operations(api: Api) -> None:
    ds = await api.create_dataset("a", tags={"adobe/pqs/table": ["t"], "owner": ["x"]})
    patch = [
        {"op": "test", "path": "/name", "value": "a"},
        {"op": "test", "path": "/version", "value": "1.0.0"},
        {"op": "add", "path": "/tags/team", "value": ["growth"]},
        {"op": "add", "path": "/tags/owner/-", "value": "y"},
        {"op": "remove", "path": "/tags/adobe~1pqs~1table"},
        {"op": "replace", "path": "/name", "value": "b"},
        {"op": "add", "path": "/description", "value": "added"},
    ]
    resp = await api.call(
        "PATCH", f"{DATASETS}/{ds}", content=json.dumps(patch), headers=JSON_PATCH
    )
    assert resp.status_code == 200, resp.text
    doc, _ = await get(api, ds)
    assert doc["tags"] == {"owner": ["x", "y"], "team": ["growth"]}
    assert (doc["name"], doc["description"], doc["version"]) == ("b", "added", "1.0.1")


async def test_json_patch_failures_change_nothing(api: Api) -> None:
    ds = await api.create_dataset("a", tags={"team": ["x", "y"]})
    url = f"{DATASETS}/{ds}"
    failing_test = [
        {"op": "replace", "path": "/name", "value": "b"},
        {"op": "test", "path": "/name", "value": "zzz"},
    ]
    resp = await api.call("PATCH", url, content=json.dumps(failing_test), headers=JSON_PATCH)
    assert resp.status_code == 412
    for bad in (
        [{"op": "remove", "path": "/missing"}],
        [{"op": "frobnicate", "path": "/name"}],
        [{"op": "remove", "path": "/name"}],
        {"op": "replace"},
        [{"op": "remove", "path": "/tags/team/²"}],
        [{"op": "remove", "path": "/tags/team/١"}],
        [{"op": "copy", "from": "", "path": f"/tags/k{i}"} for i in range(30)],
    ):
        resp = await api.call("PATCH", url, content=json.dumps(bad), headers=JSON_PATCH)
        assert resp.status_code == 400, bad
        assert resp.json()["title"] == "BadRequestError", resp.text  # Catalog's 400 family
    doc, _ = await get(api, ds)
    assert (doc["name"], doc["version"]) == ("a", "1.0.0")


async def test_delete_is_200_and_irreversible(api: Api) -> None:
    ds = await api.create_dataset("a")
    resp = await api.call("DELETE", f"{DATASETS}/{ds}")
    assert (resp.status_code, resp.json()) == (200, [f"@/datasets/{ds}"])
    assert (await api.call("GET", f"{DATASETS}/{ds}")).status_code == 404
    assert (await api.call("DELETE", f"{DATASETS}/{ds}")).status_code == 404
    assert ds not in (await api.call("GET", DATASETS)).json()


async def test_get_one_with_properties(api: Api) -> None:
    ds = await api.create_dataset("a", description="d")
    resp = await api.call("GET", f"{DATASETS}/{ds}", params={"properties": "name,version"})
    assert resp.json() == {ds: {"name": "a", "version": "1.0.0"}}
    assert resp.headers["E-Tag"] == '"1.0.0"'
    resp = await api.call("GET", f"{DATASETS}/{ds}", params={"properties": "name"})
    assert resp.json() == {ds: {"name": "a"}}
    assert resp.headers["E-Tag"] == '"1.0.0"'
