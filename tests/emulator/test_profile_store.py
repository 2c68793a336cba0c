"""The profile store: deterministic seeding, and segment definitions read like Adobe's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from aep_reconciler.emulator.profiles.generate import NAMED_AUDIENCES
from aep_reconciler.emulator.profiles.storage import Storage
from aep_reconciler.emulator.profiles.store import StoreSize, seed_profiles
from tests.emulator.emu_support import ORG, Api

pytestmark = pytest.mark.anyio
DEFINITIONS = "/data/core/ups/segment/definitions"
TABLES = ("profiles", "fragments", "events", "memberships")


def _tables(db: Path, sandbox: str = "prod") -> dict[str, list[dict[str, Any]]]:
    folder = Storage(str(db)).profiles(f"{ORG}/{sandbox}")
    return {name: pq.read_table(folder / f"{name}.parquet").to_pylist() for name in TABLES}


def _sorted(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(r.items())) for r in rows)


def test_the_same_seed_gives_the_same_store_and_another_seed_another(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    seed_profiles(str(db), ORG, "prod", StoreSize(300, 3, 4, seed=7))
    first = _tables(db)
    seed_profiles(str(db), ORG, "prod", StoreSize(300, 3, 4, seed=7))
    again = _tables(db)
    seed_profiles(str(db), ORG, "prod", StoreSize(300, 3, 4, seed=8))
    other = _tables(db)
    assert all(_sorted(first[t]) == _sorted(again[t]) for t in TABLES)
    assert _sorted(first["fragments"]) != _sorted(other["fragments"])
    assert len(first["profiles"]) == 300
    assert len(first["events"]) == 900
    assert {m["segment_id"] for m in first["memberships"]} <= {
        m["segment_id"] for m in again["memberships"]
    }
    # some profiles hold only events ("empty profiles"), some have a second fragment
    assert 0 < sum(not p["has_record"] for p in first["profiles"]) < 300
    per_profile: dict[int, int] = {}
    for fragment in first["fragments"]:
        per_profile[fragment["pid"]] = per_profile.get(fragment["pid"], 0) + 1
    assert set(per_profile.values()) == {1, 2}


async def test_definitions_list_pages_like_adobe(api: Api) -> None:
    resp = await api.call("GET", DEFINITIONS, params={"limit": 3, "sort": "name:asc"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"segments", "page", "link"}
    assert body["page"]["totalCount"] == 8 and body["page"]["totalPages"] == 3
    assert body["page"]["pageSize"] == 3 and body["page"]["limit"] == 3
    names = [s["name"] for s in body["segments"]]
    while body["link"].get("next"):
        resp = await api.call("GET", "/data/core/ups" + body["link"]["next"])
        body = resp.json()
        names += [s["name"] for s in body["segments"]]
    assert names == sorted(names) and len(names) == 8
    assert set(dict(NAMED_AUDIENCES)) <= set(names)
    one = body["segments"][0]
    assert one["schema"] == {"name": "_xdm.context.profile"}
    assert one["expression"]["type"] == "PQL" and one["imsOrgId"] == ORG
    assert one["sandbox"]["sandboxName"] == "prod"


async def test_definition_by_id_and_unknown_ids(api: Api) -> None:
    listed = (await api.call("GET", DEFINITIONS)).json()["segments"]
    wanted = listed[2]
    resp = await api.call("GET", f"{DEFINITIONS}/{wanted['id']}")
    assert resp.status_code == 200 and resp.json() == wanted
    missing = await api.call("GET", f"{DEFINITIONS}/no-such-segment")
    assert missing.status_code == 404 and "errors" in missing.json()
    bad = await api.call("GET", DEFINITIONS, params={"filter": "x"})
    assert bad.status_code == 400


async def test_audience_ids_differ_per_sandbox_while_names_match(api: Api) -> None:
    prod = (await api.call("GET", DEFINITIONS, "prod")).json()["segments"]
    dev = (await api.call("GET", DEFINITIONS, "dev")).json()["segments"]
    assert {s["name"] for s in prod} == {s["name"] for s in dev}
    assert not {s["id"] for s in prod} & {s["id"] for s in dev}
