"""Each request field of an export job changes the exported rows as Adobe documents it.

Every test runs real jobs on the in-process platform, reads the Parquet files back through
the Data Access API with pyarrow, and compares them with what the store holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from aep_reconciler.emulator import EmulatorConfig, ManualClock
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.profiles.store import StoreSize
from tests.emulator.emu_support import Api
from tests.emulator.exports_support import TENANT, Store, audiences, export

pytestmark = pytest.mark.anyio

MS_2025 = 1_735_689_600_000  # 2025-01-01T00:00:00Z


@pytest.fixture
def config(clock: ManualClock) -> EmulatorConfig:
    return EmulatorConfig(clock=clock, job_start_after=0, job_run_for=0)


@pytest.fixture
def platform(app: Starlette) -> Platform:
    found: Platform = app.state.platform
    return found


@pytest.fixture
async def setup(api: Api, platform: Platform) -> tuple[str, dict[str, str], Store]:
    dataset = await api.create_dataset()
    return dataset, await audiences(api), Store(platform)


def pids(store: Store, rows: list[dict[str, Any]]) -> list[int]:
    return sorted(store.pid_of(r["identities"]) for r in rows)


async def test_segments_export_exactly_the_members_with_a_profile_record(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip = names["VIP customers"]
    job, (rows,) = await export(api, dataset, filter={"segments": [{"segmentId": vip}]})
    assert job["status"] == "SUCCEEDED"
    expected = store.with_records(store.members(vip))
    assert pids(store, rows) == sorted(expected) and expected
    everyone, (all_rows,) = await export(api, dataset, fields="identities")
    assert len(all_rows) == len(store.with_records(store.profiles)) > len(rows)


async def test_status_picks_which_memberships_count(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    lapsed = names["Lapsed customers"]
    _, (exited,) = await export(
        api, dataset, filter={"segments": [{"segmentId": lapsed, "status": ["exited"]}]}
    )
    _, (realized,) = await export(
        api, dataset, filter={"segments": [{"segmentId": lapsed, "status": ["realized"]}]}
    )
    assert pids(store, exited) == sorted(store.with_records(store.members(lapsed, ["exited"])))
    assert pids(store, realized) == sorted(store.with_records(store.members(lapsed, ["realized"])))
    assert exited and realized and not set(pids(store, exited)) & set(pids(store, realized))


async def test_segment_namespace_must_match_the_membership(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip = names["VIP customers"]
    job, (rows,) = await export(
        api, dataset, filter={"segments": [{"segmentId": vip, "segmentNs": "aam"}]}
    )
    assert job["status"] == "SUCCEEDED" and rows == []  # the store's memberships are "ups"


async def test_fields_project_the_requested_dot_paths_only(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip = names["VIP customers"]
    request = {"filter": {"segments": [{"segmentId": vip}]}}
    _, (rows,) = await export(
        api,
        dataset,
        fields="identities.id,person.name.firstName,homeAddress.countryCode",
        **request,
    )
    assert set(rows[0]) == {"identities", "person", "homeAddress"}
    assert set(rows[0]["identities"][0]) == {"id"}
    assert set(rows[0]["person"]) == {"name"} and set(rows[0]["person"]["name"]) == {"firstName"}
    _, (full,) = await export(api, dataset, **request)
    assert {"identities", "person", "personalEmail", "homeAddress", "segmentMembership"} <= set(
        full[0]
    )
    by_pid = {store.pid_of(r["identities"]): r for r in full}
    for row in full:
        pid = store.pid_of(row["identities"])
        assert row["person"] == store.merged(pid, "person")
        assert row["homeAddress"] == store.merged(pid, "homeAddress")
        memberships = dict(dict(row["segmentMembership"])["ups"])  # Parquet MAPs read as pairs
        assert memberships[vip]["status"] in ("realized", "existing")
    assert len(by_pid) == len(rows)


async def test_merge_policy_decides_which_fragment_wins(
    api: Api, setup: tuple[str, dict[str, str], Store], platform: Platform
) -> None:
    dataset, names, store = setup
    platform.profiles.seed(TENANT, StoreSize())  # the same store, plus a precedence policy
    policies = (await api.call("GET", "/data/core/ups/config/mergePolicies")).json()["children"]
    by_type = {p["attributeMerge"]["type"]: p for p in policies}
    precedence = by_type["dataSetPrecedence"]
    order = tuple(precedence["attributeMerge"]["order"])
    request = {
        "fields": "identities,personalEmail",
        "filter": {"segments": [{"segmentId": names["Newsletter subscribers"]}]},
    }
    _, (newest,) = await export(api, dataset, **request)
    _, (ordered,) = await export(api, dataset, mergePolicy={"id": precedence["id"]}, **request)
    newest_mail = {store.pid_of(r["identities"]): r["personalEmail"] for r in newest}
    ordered_mail = {store.pid_of(r["identities"]): r["personalEmail"] for r in ordered}
    assert newest_mail.keys() == ordered_mail.keys()
    for pid in newest_mail:
        assert newest_mail[pid] == store.merged(pid, "personalEmail")
        assert ordered_mail[pid] == store.merged(pid, "personalEmail", order)
    assert newest_mail != ordered_mail  # profiles with two fragments differ


async def test_segment_qualification_time_keeps_memberships_inside_the_window(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip = names["VIP customers"]
    window = {"startTime": "2024-03-01T00:00:00Z", "endTime": "2024-09-01T00:00:00Z"}
    _, (rows,) = await export(
        api, dataset, filter={"segments": [{"segmentId": vip}], "segmentQualificationTime": window}
    )
    low, high = 1_709_251_200_000, 1_725_148_800_000
    expected = store.with_records(store.members(vip, window=(low, high)))
    assert pids(store, rows) == sorted(expected)
    assert 0 < len(expected) < len(store.with_records(store.members(vip)))


async def test_from_ingest_timestamp_keeps_profiles_updated_since(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, _, store = setup
    _, (rows,) = await export(
        api, dataset, fields="identities", filter={"fromIngestTimestamp": "2025-01-01T00:00:00Z"}
    )
    expected = {
        p for p, row in store.profiles.items() if row["has_record"] and row["updated_ms"] >= MS_2025
    }
    assert pids(store, rows) == sorted(expected)
    assert 0 < len(expected) < len(store.profiles)


async def test_empty_profiles_adds_profiles_that_only_have_events(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, _, store = setup
    _, (with_empty,) = await export(
        api, dataset, fields="identities", filter={"emptyProfiles": True}
    )
    _, (without,) = await export(api, dataset, fields="identities", filter={"emptyProfiles": False})
    assert pids(store, with_empty) == sorted(store.profiles)
    assert pids(store, without) == sorted(store.with_records(store.profiles))
    assert len(without) < len(with_empty)


async def test_event_list_adds_each_profiles_events_in_the_ingest_window(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip = names["VIP customers"]
    event_list = {
        "fields": "environment.browserDetails.name",
        "filter": {"fromIngestTimestamp": "2025-01-01T00:00:00Z"},
    }
    _, (rows,) = await export(
        api,
        dataset,
        fields="identities",
        filter={"segments": [{"segmentId": vip}]},
        additionalFields={"eventList": event_list},
    )
    for row in rows:
        pid = store.pid_of(row["identities"])
        expected = sorted(
            e["environment"]["browserDetails"]["name"]
            for e in store.events
            if e["pid"] == pid and e["ingest_ms"] >= MS_2025
        )
        assert (
            sorted(e["environment"]["browserDetails"]["name"] for e in row["eventList"]) == expected
        )
        assert all(set(e) == {"environment"} for e in row["eventList"])
    assert any(row["eventList"] for row in rows)
    _, (plain,) = await export(
        api, dataset, fields="identities", filter={"segments": [{"segmentId": vip}]}
    )
    assert "eventList" not in plain[0]


async def test_segment_per_batch_writes_one_batch_per_segment(
    api: Api, setup: tuple[str, dict[str, str], Store]
) -> None:
    dataset, names, store = setup
    vip, lapsed = names["VIP customers"], names["Lapsed customers"]
    segments = [{"segmentId": vip}, {"segmentId": lapsed}]
    job, batches = await export(
        api,
        dataset,
        fields="identities",
        filter={"segments": segments},
        destination={"datasetId": dataset, "segmentPerBatch": True},
    )
    assert [b["segmentId"] for b in job["destination"]["batches"]] == [vip, lapsed]
    assert [pids(store, rows) for rows in batches] == [
        sorted(store.with_records(store.members(vip))),
        sorted(store.with_records(store.members(lapsed))),
    ]
    _, (together,) = await export(api, dataset, fields="identities", filter={"segments": segments})
    assert pids(store, together) == sorted(
        set(pids(store, batches[0])) | set(pids(store, batches[1]))
    )
    counted = job["metrics"]["totalExportedProfileCounter"]
    assert counted == len(batches[0]) + len(batches[1])
