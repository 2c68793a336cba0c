"""The plan/apply/drift story as a user runs it, once per variant combination that matters.

The platform's clock stands still (``--manual-clock``), so export jobs stay NEW: edits
replace running jobs, a removed manifest cancels one, and under ``cancel=linger`` a
cancelled job stays listed as it was, for good. After every apply, ``plan
--detailed-exitcode`` must say **No changes**, and the platform (read from its SQLite file,
whatever its answers show) must hold exactly one dataset per Dataset manifest and one live
job per ExportJob manifest, carrying that manifest's request.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from aep_reconciler.live import job_fingerprint
from tests.chaos.platform_state import State, read_state
from tests.e2e.conftest import SECRET, OtherClient, Platform, run_cli, start_platform, stop_platform
from tests.variant_matrix import COMBINATIONS, serve_args

pytestmark = pytest.mark.e2e
STACK = "marketing-exports"
# A sibling of vip-emails that only its fields tell apart: the sparsest answers cannot.
VIP_NAMES = """apiVersion: reconciler/v1
kind: ExportJob
metadata:
  name: vip-names
spec:
  fields: identities.id,person.name
  mergePolicy:
    name: Default timestamp-ordered
  filter:
    segments:
      - segmentName: VIP customers
        segmentNs: ups
        status: [realized]
  destination:
    dataset: profile-export
  schema:
    name: _xdm.context.profile
"""


@pytest.fixture(params=sorted(COMBINATIONS))
def variant(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    served = start_platform(tmp_path / "platform.db", "--manual-clock", *serve_args(request.param))
    yield served
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text, "the client secret leaked into the CLI's output"


def converged(platform: Platform, cwd: Path) -> None:
    result = run_cli(platform, cwd, ["plan", "--detailed-exitcode"])
    assert result.code == 0 and "No changes" in result.out, result.out + result.err


def applied(platform: Platform, cwd: Path, *extra: str) -> str:
    result = run_cli(platform, cwd, ["apply", "--auto-approve", *extra])
    assert result.code == 0, result.out + result.err
    converged(platform, cwd)
    return result.out + result.err


def live_jobs(state: State, cancelled: set[str]) -> Counter[str]:
    """Request fingerprint → jobs not cancelled (by anyone) and not FAILED, in the stack."""
    owned = state.owned(STACK)
    return Counter(
        job_fingerprint(j["request"])
        for i, j in state.jobs.items()
        if j["dataset"] in owned and i not in cancelled
    )


def test_plan_apply_drift_story(variant: Platform, workdir: Path) -> None:
    specs = workdir / "specs"
    (specs / "export-jobs" / "vip-names.yaml").write_text(VIP_NAMES)
    applied(variant, workdir)
    state = read_state(variant.db)
    assert sorted(state.names(STACK).values()) == [1]  # one dataset, no duplicate
    assert sorted(live_jobs(state, set()).values()) == [1, 1, 1, 1]  # one job per manifest
    first = set(state.jobs)

    # a changed request replaces the running job; the old one is cancelled once
    vip = specs / "export-jobs" / "vip-emails.yaml"
    vip.write_text(
        vip.read_text().replace("personalEmail.address", "personalEmail.address,person.name")
    )
    out = applied(variant, workdir)
    assert "-/+ ExportJob/vip-emails" in out
    # a removed manifest cancels its running job; --wait reports it without polling it
    (specs / "export-jobs" / "all-profiles.yaml").unlink()
    out = applied(variant, workdir, "--wait")
    assert "- ExportJob/all-profiles" in out and "1 cancelled" in out
    # a tag the manifest drops goes, whatever a field PATCH of tags does
    dataset = specs / "datasets" / "profile-export.yaml"
    dataset.write_text(dataset.read_text().replace("team: [marketing]", "owner: [growth]"))
    applied(variant, workdir)

    state = read_state(variant.db)
    (tags,) = [d["tags"] for d in state.owned(STACK).values()]
    assert "team" not in tags and tags["owner"] == ["growth"]
    cancelled = cancelled_ids(variant, state, first)
    assert len(cancelled) == 2  # vip-emails' first job and all-profiles' job
    assert sorted(live_jobs(state, cancelled).values()) == [1, 1, 1]

    # drift: a colleague tags the dataset by hand; apply takes it back out
    other = OtherClient(variant)
    try:
        (dataset_id,) = state.owned(STACK)
        other.patch_dataset(dataset_id, {"tags": {**tags, "adhoc": ["x"]}})
    finally:
        other.http.close()
    drift = run_cli(variant, workdir, ["drift"])
    assert drift.code == 2 and "adhoc" in drift.out, drift.out + drift.err
    applied(variant, workdir)
    assert run_cli(variant, workdir, ["drift"]).code == 0


def cancelled_ids(platform: Platform, state: State, first: set[str]) -> set[str]:
    """Jobs of the first apply the platform no longer runs: gone, FAILED, or listed as
    cancelled (the lingering ones, in the platform's own table)."""
    with sqlite3.connect(platform.db) as conn:
        lingering = {str(r[0]) for r in conn.execute("SELECT id FROM job_cancels")}
        failed = {str(r[0]) for r in conn.execute("SELECT id FROM jobs WHERE outcome = 'FAILED'")}
    return (first - set(state.jobs)) | (first & (lingering | failed))
