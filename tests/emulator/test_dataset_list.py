"""GET /dataSets parameters: limit, start, properties, orderBy, name and tags filters."""

from __future__ import annotations

from typing import Any

import pytest

from aep_reconciler.emulator import ManualClock
from tests.emulator.emu_support import DATASETS, Api

pytestmark = pytest.mark.anyio


async def listing(api: Api, **params: Any) -> dict[str, Any]:
    resp = await api.call("GET", DATASETS, params=params)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def make(
    api: Api, clock: ManualClock, specs: list[tuple[str, dict[str, list[str]]]]
) -> list[str]:
    ids = []
    for name, tags in specs:
        ids.append(await api.create_dataset(name, tags=tags))
        clock.advance(1)
    return ids


async def test_limit_defaults_to_20_and_start_is_a_zero_based_offset(
    api: Api, clock: ManualClock
) -> None:
    ids = await make(api, clock, [(f"d{i:02d}", {}) for i in range(25)])
    assert list(await listing(api)) == ids[:20]
    assert list(await listing(api, limit=5, start=0)) == ids[:5]
    assert list(await listing(api, limit=5, start=5)) == ids[5:10]
    assert list(await listing(api, limit=100, start=20)) == ids[20:]
    assert await listing(api, start=25) == {}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("start", "-1"),
        ("start", "x"),
    ],
)
async def test_out_of_range_paging_is_400(api: Api, name: str, value: str) -> None:
    resp = await api.call("GET", DATASETS, params={name: value})
    assert resp.status_code == 400
    assert resp.json()["title"] == "BadRequestError"
    assert name in resp.json()["detail"]


async def test_limit_bounds_are_inclusive(api: Api) -> None:
    for value in ("1", "100"):
        assert (await api.call("GET", DATASETS, params={"limit": value})).status_code == 200


async def test_default_order_is_created_then_id_and_stable_while_adding(
    api: Api, clock: ManualClock
) -> None:
    same_time = [await api.create_dataset(f"s{i}") for i in range(4)]
    first_page = list(await listing(api, limit=2))
    clock.advance(1)
    await api.create_dataset("later")
    assert list(await listing(api, limit=2)) == first_page == sorted(same_time)[:2]
    assert list(await listing(api, limit=2, start=2)) == sorted(same_time)[2:]


async def test_order_by(api: Api, clock: ManualClock) -> None:
    ids = await make(api, clock, [("b", {}), ("c", {}), ("a", {})])
    assert list(await listing(api, orderBy="desc:created")) == ids[::-1]
    assert list(await listing(api, orderBy="asc:name")) == [ids[2], ids[0], ids[1]]
    assert list(await listing(api, orderBy="desc:name,asc:created")) == [ids[1], ids[0], ids[2]]
    assert list(await listing(api, orderBy="name")) == [ids[2], ids[0], ids[1]]
    resp = await api.call("GET", DATASETS, params={"orderBy": "sideways:name"})
    assert resp.status_code == 400
    resp = await api.call("GET", DATASETS, params={"orderBy": "asc:na'me"})
    assert resp.status_code == 400


async def test_properties_projects_top_level_fields_keeping_ids(
    api: Api, clock: ManualClock
) -> None:
    ids = await make(api, clock, [("a", {"k": ["v"]}), ("b", {})])
    body = await listing(api, properties="name,tags,noSuchField")
    assert body == {ids[0]: {"name": "a", "tags": {"k": ["v"]}}, ids[1]: {"name": "b", "tags": {}}}


async def test_name_filters(api: Api, clock: ManualClock) -> None:
    a, b, c = await make(api, clock, [("a", {}), ("b", {}), ("c", {})])
    assert list(await listing(api, name="b")) == [b]
    assert list(await listing(api, name="!b")) == [a, c]
    assert list(await listing(api, name="a,c")) == [a, c]
    assert await listing(api, name="zzz") == {}


async def test_tag_filters(api: Api, clock: ManualClock) -> None:
    a, b, c, d = await make(
        api,
        clock,
        [
            ("a", {"owner": ["reconciler"], "env": ["prod"]}),
            ("b", {"owner": ["reconciler-dev"], "env": ["dev"]}),
            ("c", {"owner": ["someone"]}),
            ("d", {"unifiedProfile": ["enabled:true"], "empty": []}),
        ],
    )
    assert list(await listing(api, tags="owner:reconciler")) == [a]
    assert list(await listing(api, tags="owner:reconciler*")) == [a, b]
    assert list(await listing(api, tags="owner:*con*")) == [a, b]
    assert list(await listing(api, tags="owner:*")) == [a, b, c]
    assert list(await listing(api, tags="owner:reconciler*,env:dev")) == [b]
    assert list(await listing(api, tags="unifiedProfile:enabled:true")) == [d]
    assert list(await listing(api, tags="empty:*")) == [d]
    assert list(await listing(api, tags="owner:RECONCILER")) == []
    assert list(await listing(api, tags="owner:reconcile?")) == []
    assert (await api.call("GET", DATASETS, params={"tags": "novalue"})).status_code == 400


async def test_tag_filter_follows_updates(api: Api) -> None:
    ds = await api.create_dataset("a", tags={"owner": ["x"]})
    await api.call("PATCH", f"{DATASETS}/{ds}", json={"tags": {"owner": ["y"]}})
    assert await listing(api, tags="owner:x") == {}
    assert list(await listing(api, tags="owner:y")) == [ds]
    await api.call("DELETE", f"{DATASETS}/{ds}")
    assert await listing(api, tags="owner:y") == {}
