"""Creates are never duplicated: ambiguous failures are resolved by looking before retrying."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from aep_reconciler.applier import Applier, Outcome
from aep_reconciler.emulator import EmulatorConfig, Variants, create_app
from aep_reconciler.inventory import Entry
from aep_reconciler.live import observe
from aep_reconciler.planner import make_plan
from aep_reconciler.remote import AepClient, RetryPolicy
from aep_reconciler.remote.embedded import embedded_connection
from tests.test_planner import STACK, dataset, job, manifests


async def _nap(_: float) -> None:
    await asyncio.sleep(0)


def converge(config: EmulatorConfig, runs: int = 1) -> tuple[int, int, list[Outcome]]:
    """Apply two datasets with three jobs each, up to ``runs`` times until nothing fails.

    Returns (datasets, jobs, outcomes of the last run) as a fault-free reader sees them, and
    checks that each manifest's recorded job is the one created from it: its three jobs per
    dataset differ only in ``fields``, which sparse answers never show.
    """

    async def scenario() -> tuple[int, int, list[Outcome]]:
        app = create_app(config)
        transport = httpx.ASGITransport(app=app)
        retry = RetryPolicy(base_delay=0.0, max_delay=0.0)
        async with AepClient(embedded_connection(), transport=transport, retry=retry) as c:
            c._sleep = _nap
            ms = manifests(
                dataset("a"),
                dataset("b", name="B"),
                *(job(f"a{i}", "a", fields=f"f{i}") for i in range(3)),
                *(job(f"b{i}", "b", fields=f"f{i}") for i in range(3)),
            )
            for _ in range(runs):
                plan = make_plan(ms, await observe(c, STACK), stack=STACK, target="t")
                result = await Applier(c, sleep=_nap).apply(plan)
                if not result.failed:
                    break
            verbatim = Variants.parse(["job-echo=verbatim"])
            clean = create_app(EmulatorConfig(db_path=config.db_path, variants=verbatim))
            async with AepClient(
                embedded_connection(), transport=httpx.ASGITransport(app=clean)
            ) as reader:
                datasets = await reader.list_datasets(tags={"reconciler-stack": STACK})
                jobs = await reader.list_export_jobs()
            assert_recorded_by_manifest(datasets, jobs)
            return len(datasets), len(jobs), [e.outcome for e in result.finished()]

    return asyncio.run(scenario())


def assert_recorded_by_manifest(
    datasets: dict[str, dict[str, Any]], jobs: list[dict[str, Any]]
) -> None:
    """Every job is recorded once, under the manifest whose request it carries."""
    fields = {str(j["id"]): j.get("fields") for j in jobs}
    recorded: list[str] = []
    for ds in datasets.values():
        for key, values in ds["tags"].items():
            if key.startswith("reconciler-job."):
                (entry,) = [Entry.parse(v) for v in values]
                assert entry is not None and entry.job_id is not None, values
                assert fields[entry.job_id] == f"f{key[-1]}", (key, entry, fields)
                recorded.append(entry.job_id)
    assert sorted(recorded) == sorted(fields)


ECHOES = ["verbatim", "resolved", "sparse"]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("echo", ECHOES)
def test_every_create_answer_lost_still_creates_each_object_once(
    tmp_path: Any, seed: int, echo: str
) -> None:
    config = EmulatorConfig(
        db_path=str(tmp_path / "p.db"),
        ambiguous_rate=1.0,
        seed=seed,
        variants=Variants.parse([f"job-echo={echo}"]),
    )
    datasets, jobs, outcomes = converge(config)
    assert (datasets, jobs) == (2, 6)
    assert outcomes == [Outcome.SUCCEEDED] * 8


@pytest.mark.parametrize(("seed", "echo"), [(4, "verbatim"), (5, "sparse"), (6, "resolved")])
def test_server_errors_and_rate_limits_converge_without_duplicates(
    tmp_path: Any, seed: int, echo: str
) -> None:
    config = EmulatorConfig(
        db_path=str(tmp_path / "p.db"),
        fail_rate=0.3,
        ambiguous_rate=0.3,
        rate_limit=200,
        seed=seed,
        variants=Variants.parse([f"job-echo={echo}"]),
    )
    datasets, jobs, outcomes = converge(config, runs=3)
    assert datasets == 2 and jobs == 6
    assert outcomes and set(outcomes) == {Outcome.SUCCEEDED}
