"""The platform's state read straight from its SQLite file: a fault-free view for assertions."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aep_reconciler.live import job_fingerprint
from aep_reconciler.ownership import LOCK_TAG, NAME_TAG, STACK_TAG

TENANT = "embedded@AdobeOrg/prod"
# Written by the platform itself when a job finishes; never a change by a client.
PLATFORM_WRITTEN = ("lastBatchId", "lastBatchStatus")


@dataclass(frozen=True)
class State:
    datasets: dict[str, dict[str, Any]]  # id -> body
    jobs: dict[str, dict[str, Any]]  # id -> {"dataset": id, "request": body}

    def owned(self, stack: str) -> dict[str, dict[str, Any]]:
        return {i: d for i, d in self.datasets.items() if d["tags"].get(STACK_TAG) == [stack]}

    def locks(self, stack: str) -> list[str]:
        return [i for i, d in self.datasets.items() if d["tags"].get(LOCK_TAG) == [stack]]

    def names(self, stack: str) -> Counter[str]:
        return Counter(d["tags"][NAME_TAG][0] for d in self.owned(stack).values())

    def job_identities(self, stack: str) -> Counter[tuple[str, str]]:
        """(dataset id, request fingerprint) of every job in the stack's datasets."""
        owned = self.owned(stack)
        return Counter(
            (j["dataset"], job_fingerprint(j["request"]))
            for j in self.jobs.values()
            if j["dataset"] in owned
        )

    def foreign(self, stack: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Everything the stack does not own, minus the fields the platform writes itself."""
        mine = set(self.owned(stack)) | set(self.locks(stack))
        datasets = {
            i: {k: v for k, v in d.items() if k not in PLATFORM_WRITTEN}
            for i, d in self.datasets.items()
            if i not in mine
        }
        jobs = {i: j for i, j in self.jobs.items() if j["dataset"] not in mine}
        return datasets, jobs


def read_state(db: Path) -> State:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=5000")
        datasets = {
            str(i): json.loads(body)
            for i, body in conn.execute("SELECT id, body FROM datasets WHERE tenant = ?", (TENANT,))
        }
        jobs = {
            str(i): {"dataset": str(ds), "request": json.loads(body)}
            for i, ds, body in conn.execute(
                "SELECT id, dataset_id, body FROM jobs WHERE tenant = ?", (TENANT,)
            )
        }
    finally:
        conn.close()
    return State(datasets, jobs)
