"""Chaos fixtures: a faulty platform with foreign objects seeded, and the generated tree."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.chaos.platform_state import State, read_state
from tests.chaos.tree import STACK, dataset_name, write_tree
from tests.e2e.conftest import SECRET, OtherClient, Platform, start_platform, stop_platform
from tests.variant_matrix import serve_args

DATASETS = 50
JOBS_PER_DATASET = 3
FAULTS = (
    "--fail-rate", "0.2", "--ambiguous-rate", "0.1", "--rate-limit", "50", "--latency-ms", "5",
    "--job-start-after", "0.2", "--job-run-for", "0.2",
)  # fmt: skip


@dataclass
class Chaos:
    platform: Platform
    work: Path  # the working directory; the manifests are in work/specs
    foreign: State  # the platform before the stack touched it

    @property
    def db(self) -> Path:
        return self.platform.db


def _decoys(db: Path) -> None:
    """Objects that look like the stack's but are not: another stack's, and unowned namesakes."""
    served = start_platform(db)
    try:
        other = OtherClient(served)
        schema = {"id": "https://ns.adobe.com/xdm/context/profile__union"}
        for i in range(3):
            theirs = other.create_dataset(
                {
                    "name": f"Chaos export {i}",
                    "schemaRef": schema,
                    "fileDescription": {"persisted": True},
                    "tags": {
                        "reconciler-stack": ["elsewhere"],
                        "reconciler-name": [dataset_name(i)],
                    },
                }
            )
            unowned = other.create_dataset({"name": f"Chaos export {i}", "schemaRef": schema})
            for target in (theirs, unowned):
                other.create_job(
                    {
                        "destination": {"datasetId": target},
                        "schema": {"name": "_xdm.context.profile"},
                    }
                )
        other.http.close()
    finally:
        stop_platform(served)


@pytest.fixture
def chaos(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Chaos]:
    """The faulty platform; parametrized indirectly, it is served with that combination of
    variants (tests/variant_matrix.py)."""
    combination = getattr(request, "param", None)
    db = tmp_path / "platform.db"
    seed = [sys.executable, "-m", "aep_reconciler", "emulator", "seed", "--db", str(db)]
    subprocess.run([*seed, "--datasets", "30", "--jobs", "60"], check=True, capture_output=True)
    _decoys(db)
    before = read_state(db)
    assert before.datasets and before.jobs and not before.owned(STACK)
    write_tree(tmp_path / "work", DATASETS, JOBS_PER_DATASET)
    served = start_platform(db, *FAULTS, *(serve_args(combination) if combination else ()))
    yield Chaos(served, tmp_path / "work", before)
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text, "the client secret leaked into the CLI's output"
