"""Catalog as Adobe documents it: "Filter Catalog data using query parameters" (FCD), the
Catalog appendix (Pragma), catalog.yaml (PUT), and the variants where Adobe's pages differ."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock, Variants
from tests.emulator.emu_support import DATASETS, Api

pytestmark = pytest.mark.anyio


async def ids(api: Api, **params: Any) -> list[str]:
    resp = await api.call("GET", DATASETS, params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json())


async def refused(api: Api, **params: Any) -> str:
    resp = await api.call("GET", DATASETS, params=params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["title"] == "BadRequestError"
    return str(resp.json()["detail"])


async def many(api: Api, clock: ManualClock, count: int) -> list[str]:
    made = []
    for i in range(count):
        made.append(await api.create_dataset(f"d{i:03d}"))
        clock.advance(0.001)
    return made


@pytest.mark.parametrize("variants", [Variants.parse(["catalog-page-cap=100"])])
async def test_pages_with_observable_schema_hold_at_most_20(api: Api, clock: ManualClock) -> None:
    """FCD "Limit returned objects": with ``observableSchema`` in ``properties`` at most 20
    datasets come back, whatever ``limit`` asks; other pages honour ``limit`` up to 100."""
    made = await many(api, clock, 30)
    assert await ids(api, limit=100, properties="name,observableSchema") == made[:20]
    assert await ids(api, limit=100, properties="name") == made
    assert await ids(api, limit=100, start=20, properties="observableSchema") == made[20:]


@pytest.mark.parametrize("variants", [Variants.parse(["catalog-page-cap=20"])])
async def test_cap_20_holds_every_page_to_20(api: Api, clock: ManualClock) -> None:
    """Variant catalog-page-cap=20: FCD (current page) gives 20 as the maximum for service
    tokens; catalog.yaml says 100."""
    made = await many(api, clock, 25)
    assert await ids(api, limit=100) == made[:20]
    assert await ids(api, limit=100, start=20) == made[20:]


# The subject is the compatibility value, no Adobe source (docs/adobe-fidelity.md).
@pytest.mark.parametrize("variants", [Variants.parse(["catalog-page-cap=none"])])
async def test_compat_cap_honours_limit_with_observable_schema(
    api: Api, clock: ManualClock
) -> None:
    """catalog-page-cap=none (``COMPATIBLE``'s): ``limit`` is honoured."""
    made = await many(api, clock, 25)
    assert await ids(api, limit=100, properties="observableSchema") == made


async def test_simple_filters_on_any_property(api: Api, clock: ManualClock) -> None:
    """FCD "Using simple filters": ``name=x``, ``name=!x``, ``name=a,b``, ``name=!a,b``, and
    the same on any property (``description=…``)."""
    a = await api.create_dataset("alpha", description="first")
    b = await api.create_dataset("beta", description="second")
    c = await api.create_dataset("gamma")
    assert await ids(api, name="alpha") == [a]
    assert sorted(await ids(api, name="!alpha")) == sorted([b, c])
    assert sorted(await ids(api, name="alpha,gamma")) == sorted([a, c])
    assert await ids(api, name="!alpha,gamma") == [b]
    assert await ids(api, description="second") == [b]
    assert sorted(await ids(api, description="!second")) == sorted([a, c])
    assert await ids(api, createdClient="nobody") == []
    assert sorted(await ids(api, version="1.0.0")) == sorted([a, b, c])


async def test_name_wildcards(api: Api) -> None:
    """FCD note: ``*`` in ``name`` matches any run of characters, the empty one too;
    ``**`` is a literal asterisk."""
    test = await api.create_dataset("test")
    tast = await api.create_dataset("te-a-st")
    star = await api.create_dataset("te*st")
    toast = await api.create_dataset("toast")
    assert sorted(await ids(api, name="te*st")) == sorted([test, tast, star])
    assert await ids(api, name="te**st") == [star]
    assert await ids(api, name="!te*st") == [toast]
    assert await ids(api, property="name==te**st") == [star]


async def test_property_expressions(api: Api) -> None:
    """FCD "Using the property parameter": NAME, !NAME, ~, ==, !=, <, <=, >, >=."""
    plain = await api.create_dataset("example-one")
    described = await api.create_dataset("other", description="has one")
    for i in range(6):  # each change bumps the version: 1.0.6
        change = {"description": f"change {i}"}
        resp = await api.call("PATCH", f"{DATASETS}/{described}", json=change)
        assert resp.status_code == 200
    bumped = (await api.call("GET", f"{DATASETS}/{described}")).json()[described]["version"]
    assert bumped == "1.0.6"
    assert await ids(api, property="description") == [described]
    assert await ids(api, property="!description") == [plain]
    assert await ids(api, property="name~^example") == [plain]
    assert await ids(api, property="name==other") == [described]
    assert await ids(api, property="name!=other") == [plain]
    assert await ids(api, property="version>1.0.3") == [described]
    assert await ids(api, property="version>=1.0.6") == [described]
    assert await ids(api, property="version<1.0.6") == [plain]
    assert await ids(api, property="version<=1.0.0") == [plain]
    assert await ids(api, property="version>1.0.10") == []  # part by part, not as text
    both = await ids(api, property=["name~e", "!description"])  # several: AND
    assert both == [plain]


async def test_created_after_and_before_are_exclusive(api: Api, clock: ManualClock) -> None:
    """FCD "Filter by date range": ``createdAfter``/``createdBefore`` in epoch ms."""
    first = await api.create_dataset("first")
    t1 = clock.now_ms()
    clock.advance(1)
    second = await api.create_dataset("second")
    t2 = clock.now_ms()
    assert await ids(api, createdAfter=t1) == [second]
    assert await ids(api, createdBefore=t2) == [first]
    assert await ids(api, createdAfter=t1 - 1, createdBefore=t2) == [first]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"sort": "asc:name"}, "sort"),
        ({"schemaRef.id": "x"}, "schemaRef.id"),
        ({"property": "name=~x"}, "property"),
        ({"property": "schemaRef.id==x"}, "property"),
        ({"property": "name~(unclosed"}, "regular expression"),
        ({"createdAfter": "yesterday"}, "createdAfter"),
    ],
)
async def test_filters_the_platform_cannot_read_are_400(
    api: Api, params: dict[str, str], needle: str
) -> None:
    """aep-api.md B.3: a filter the platform does not implement is a 400, never ignored."""
    assert needle in await refused(api, **params)


async def test_validate_only_saves_nothing(api: Api) -> None:
    """Catalog appendix "Pragma": ``validate-only`` validates a POST or PUT without saving."""
    body = {"name": "dry", "schemaRef": {"id": "https://ns.adobe.com/x/schemas/y"}}
    resp = await api.call("POST", DATASETS, json=body, headers={"Pragma": "validate-only"})
    assert (resp.status_code, resp.json()) == (200, [])
    assert await ids(api) == []
    bad = await api.call(
        "POST", DATASETS, json={"name": "no schema"}, headers={"Pragma": "validate-only"}
    )
    assert bad.status_code == 400
    ds = await api.create_dataset("kept")
    put = await api.call("PUT", f"{DATASETS}/{ds}", json=body, headers={"Pragma": "validate-only"})
    assert put.status_code == 200
    assert (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]["name"] == "kept"


async def test_put_replaces_every_writable_field(api: Api) -> None:
    """catalog.yaml ``putDataset``: the body replaces the dataset's writable fields."""
    ds = await api.create_dataset("before", description="gone after PUT", tags={"a": ["1"]})
    etag = (await api.call("GET", f"{DATASETS}/{ds}")).headers["E-Tag"]
    body = {"name": "after", "schemaRef": {"id": "https://ns.adobe.com/x/schemas/y"}}
    resp = await api.call("PUT", f"{DATASETS}/{ds}", json=body, headers={"If-Match": etag})
    assert resp.status_code == 200 and resp.json() == [f"@/datasets/{ds}"]
    doc = (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]
    assert (doc["name"], doc["tags"], doc["version"]) == ("after", {}, "1.0.1")
    assert "description" not in doc and "fileDescription" not in doc
    stale = await api.call("PUT", f"{DATASETS}/{ds}", json=body, headers={"If-Match": etag})
    assert stale.status_code == 412
    missing = await api.call("PUT", f"{DATASETS}/0123456789abcdef01234567", json=body)
    assert missing.status_code == 404
    read_only = await api.call("PUT", f"{DATASETS}/{ds}", json=body | {"version": "9.9.9"})
    assert read_only.status_code == 400


@pytest.mark.parametrize(
    ("variants", "spelled"),
    [
        (Variants(), "datasets"),
        (Variants.parse(["dataset-ref=dataSets"]), "dataSets"),
    ],
)
async def test_dataset_ref_spelling_follows_the_variant(api: Api, spelled: str) -> None:
    """Guide: ``["@/datasets/{ID}"]``; Catalog docs: ``["@/dataSets/{ID}"]``."""
    body = {"name": "x", "schemaRef": {"id": "https://ns.adobe.com/x/schemas/y"}}
    made = await api.call("POST", DATASETS, json=body)
    (ref,) = made.json()
    ds = ref.rsplit("/", 1)[1]
    assert ref == f"@/{spelled}/{ds}"
    assert made.headers["Location"].endswith(f"/dataSets/{ds}")
    patched = await api.call("PATCH", f"{DATASETS}/{ds}", json={"description": "d"})
    deleted = await api.call("DELETE", f"{DATASETS}/{ds}")
    assert patched.json() == deleted.json() == [f"@/{spelled}/{ds}"]


@pytest.mark.parametrize(
    ("variants", "expected", "after_empty"),
    [
        (Variants.parse(["tags-patch=replace"]), {"b": ["2"]}, {}),
        (Variants.parse(["tags-patch=merge"]), {"a": ["1"], "b": ["2"]}, {"a": ["1"]}),
    ],
)
async def test_field_patch_of_tags_follows_the_variant(
    api: Api, expected: dict[str, list[str]], after_empty: dict[str, list[str]]
) -> None:
    """Catalog "Update an object" is silent on nested maps: replace or merge ``tags``
    (``"tags": {}`` empties the map or changes nothing). JSON Patch ``remove`` removes a
    tag under both."""
    ds = await api.create_dataset("t", tags={"a": ["1"]})
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"tags": {"b": ["2"]}})
    assert resp.status_code == 200
    assert (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]["tags"] == expected
    ops = [{"op": "remove", "path": "/tags/b"}]
    headers = {"Content-Type": "application/json-patch+json"}
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", content=json.dumps(ops), headers=headers)
    assert resp.status_code == 200
    tags = (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]["tags"]
    assert "b" not in tags
    resp = await api.call("PATCH", f"{DATASETS}/{ds}", json={"tags": {}})
    assert resp.status_code == 200
    assert (await api.call("GET", f"{DATASETS}/{ds}")).json()[ds]["tags"] == after_empty
