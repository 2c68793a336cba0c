"""Export jobs on the in-process platform, their files read back, and the store read directly.

Files are read with pyarrow and the store's expectations are computed in plain Python from
the store's Parquet files: nothing here shares code with the DuckDB engine under test.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pyarrow.parquet as pq

from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.profiles.generate import source_datasets
from tests.emulator.emu_support import JOBS, ORG, Api

TENANT = f"{ORG}/prod"
DEFINITIONS = "/data/core/ups/segment/definitions"
EXPORT = "/data/foundation/export"


class Store:
    """One sandbox's profile store as plain Python values (read with pyarrow)."""

    def __init__(self, platform: Platform, tenant: str = TENANT) -> None:
        platform.profiles.ensure(tenant)
        folder = platform.profiles.folder(tenant)
        read = {n: pq.read_table(folder / f"{n}.parquet").to_pylist() for n in _TABLES}
        self.profiles = {p["pid"]: p for p in read["profiles"]}
        self.fragments = read["fragments"]
        self.events = read["events"]
        self.memberships = read["memberships"]
        self.crm, self.web = source_datasets(tenant)

    def members(
        self,
        segment: str,
        statuses: Iterable[str] = ("realized", "existing"),
        window: tuple[int | None, int | None] = (None, None),
    ) -> set[int]:
        low, high = window
        wanted = set(statuses)
        return {
            m["pid"]
            for m in self.memberships
            if m["segment_id"] == segment
            and m["status"] in wanted
            and (low is None or m["qualified_ms"] >= low)
            and (high is None or m["qualified_ms"] <= high)
        }

    def with_records(self, pids: Iterable[int]) -> set[int]:
        return {p for p in pids if self.profiles[p]["has_record"]}

    def merged(self, pid: int, field: str, order: tuple[str, ...] | None = None) -> Any:
        """A field of the merged profile: newest fragment wins, or the first dataset in order."""
        found = [f for f in self.fragments if f["pid"] == pid and f[field] is not None]
        if not found:
            return None

        def rank(f: dict[str, Any]) -> tuple[int, int]:
            if order is None:
                return (0, f["updated_ms"])
            position = order.index(f["dataset_id"]) if f["dataset_id"] in order else len(order)
            return (-position, f["updated_ms"])

        return max(found, key=rank)[field]

    def pid_of(self, identities: list[dict[str, Any]]) -> int:
        """The profile id of an exported row, from its identities (ECID is unique per pid)."""
        ecid = next(i["id"] for i in identities if i["namespace"]["code"] == "ECID")
        return self.by_ecid()[ecid]

    def by_ecid(self) -> dict[str, int]:
        if not hasattr(self, "_by_ecid"):
            self._by_ecid = {
                i["id"]: pid
                for pid, p in self.profiles.items()
                for i in p["identities"]
                if i["namespace"]["code"] == "ECID"
            }
        return self._by_ecid


_TABLES = ("profiles", "fragments", "events", "memberships")


async def audiences(api: Api, sandbox: str = "prod") -> dict[str, str]:
    """name → id of the sandbox's audiences."""
    resp = await api.call("GET", DEFINITIONS, sandbox, params={"limit": 100})
    assert resp.status_code == 200, resp.text
    return {s["name"]: s["id"] for s in resp.json()["segments"]}


def batch_ids(job: dict[str, Any]) -> list[str]:
    dest = job["destination"]
    if "batches" in dest:
        return [b["batchId"] for b in dest["batches"]]
    return [dest["batchId"]]


async def batch_rows(api: Api, batch_id: str) -> list[dict[str, Any]]:
    """Every row of a batch, through the Data Access API (listing, then ``?path=``)."""
    files = await api.call("GET", f"{EXPORT}/batches/{batch_id}/files")
    assert files.status_code == 200, files.text
    rows: list[dict[str, Any]] = []
    for entry in files.json()["data"]:
        listing = await api.call("GET", f"{EXPORT}/files/{entry['dataSetFileId']}")
        for part in listing.json()["data"]:
            resp = await api.call(
                "GET", f"{EXPORT}/files/{entry['dataSetFileId']}", params={"path": part["name"]}
            )
            assert resp.status_code == 200
            assert len(resp.content) == int(part["length"])
            rows += pq.read_table(io.BytesIO(resp.content)).to_pylist()
    return rows


async def export(
    api: Api, dataset_id: str, **request: Any
) -> tuple[dict[str, Any], list[list[dict[str, Any]]]]:
    """Run one export job to its end: the final job, and the rows of each of its batches."""
    body = {"destination": {"datasetId": dataset_id}, "schema": {"name": "_xdm.context.profile"}}
    body.update(request)
    resp = await api.call("POST", JOBS, json=body)
    assert resp.status_code == 200, resp.text
    job = await api.finished(resp.json()["id"])
    if job["status"] != "SUCCEEDED":
        return job, []
    return job, [await batch_rows(api, b) for b in batch_ids(job)]
