"""Day-2 commands as a user runs them: ls (golden), unlock, --only, --replace and --var."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from aep_reconciler.applier.lease import Lease
from aep_reconciler.remote import AepClient, Connection
from tests.e2e.conftest import SECRET, OtherClient, Platform, run_cli
from tests.e2e.test_plan_apply import apply, edit, stack_datasets

pytestmark = pytest.mark.e2e

GOLDEN = Path(__file__).resolve().parents[1] / "cli" / "golden"
DATASET_ID = re.compile(r"\b[0-9a-f]{24}\b")
MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
STATUS = re.compile(r"\b(NEW|PROCESSING|SUCCEEDED)\b")


def _normalised(text: str) -> str:
    """Ids, times and job statuses vary from run to run; so do the column widths."""
    text = STATUS.sub("STATUS", MOMENT.sub("TIME", DATASET_ID.sub("DATASET-ID", text)))
    return re.sub(r"(\S) {2,}", r"\1  ", text)


def test_ls_lists_what_the_stack_owns(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    empty = run_cli(platform, workdir, ["ls"])
    assert empty.code == 0, empty.err
    assert empty.out.startswith("Stack marketing-exports on target local: 0 datasets")
    # --wait: the replace below finds the first job finished (one it runs again, no cancel)
    assert apply(platform, workdir, "--wait").code == 0
    (dataset_id,) = stack_datasets(other)
    other.create_job(
        {
            "destination": {"datasetId": dataset_id},
            "schema": {"name": "_xdm.context.profile"},
            "fields": "identities.id",
        }
    )
    assert apply(platform, workdir, "--replace", "ExportJob/all-profiles").code == 0
    listed = run_cli(platform, workdir, ["ls"])
    assert listed.code == 0, listed.err
    assert _normalised(listed.out) == (GOLDEN / "ls.txt").read_text(encoding="utf-8")
    as_json = json.loads(run_cli(platform, workdir, ["ls", "--format", "json"]).out)
    (dataset,) = as_json["datasets"]
    assert dataset["id"] == dataset_id and dataset["unmanagedJobs"] == 1
    assert {j["name"]: j["runs"] for j in dataset["jobs"]} == {
        "all-profiles": 2,
        "lapsed-customers": 1,
        "vip-emails": 1,
    }


def _hold_lease_elsewhere(platform: Platform) -> None:
    """An apply on another machine that was killed: its lease stays until it expires."""
    env = platform.env
    conn = Connection(
        platform_url=platform.url,
        ims_url=platform.url,
        org_id=env["AEP_ORG_ID"],
        client_id=env["AEP_CLIENT_ID"],
        client_secret=SECRET,
    )

    async def take() -> None:
        async with AepClient(conn) as client:
            await Lease(client, "marketing-exports", machine="ci-runner-7").acquire()

    asyncio.run(take())


def test_unlock_names_the_holder_and_releases_only_with_force(
    platform: Platform, workdir: Path
) -> None:
    free = run_cli(platform, workdir, ["unlock"])
    assert (free.code, free.out) == (0, "Stack marketing-exports is not locked on target local.\n")
    _hold_lease_elsewhere(platform)
    blocked = apply(platform, workdir)
    assert blocked.code == 1 and "is being applied by" in blocked.err
    named = run_cli(platform, workdir, ["unlock"])
    assert named.code == 1
    assert re.match(r"Stack marketing-exports is locked: held by .+, expires in \d+ s\.", named.out)
    assert "reconciler unlock --force" in named.err
    released = run_cli(platform, workdir, ["unlock", "--force"])
    assert released.code == 0, released.err
    assert released.out.startswith("Released the lease of stack marketing-exports (held by ")
    assert apply(platform, workdir).code == 0  # at once, not after ten minutes
    assert "Lease: free." in run_cli(platform, workdir, ["ls"]).out


def test_only_plans_the_named_object_and_what_it_needs(
    platform: Platform, other: OtherClient, workdir: Path
) -> None:
    only = apply(platform, workdir, "--only", "ExportJob/vip-emails")
    assert only.code == 0, only.err
    assert "Only ExportJob/vip-emails (and what it needs) was planned" in only.out
    assert "Apply complete: 2 succeeded" in only.out  # the dataset it needs, and the job
    assert len(other.jobs()) == 1
    rest = run_cli(platform, workdir, ["plan"])
    assert "Plan: 2 to create" in rest.out, rest.out  # the other jobs, as never created
    assert "drifted" in rest.out and "0 drifted" in rest.out
    unknown = run_cli(platform, workdir, ["plan", "--only", "ExportJob/nope"])
    assert unknown.code == 1 and "ExportJob/nope: not in this plan" in unknown.err


def test_var_overrides_reconciler_yaml_and_the_environment(
    platform: Platform, workdir: Path
) -> None:
    job = workdir / "specs" / "export-jobs" / "vip-emails.yaml"
    config = workdir / "specs" / "reconciler.yaml"
    edit(job, "fields: identities.id,personalEmail.address", "fields: ${var.vipFields}")
    edit(
        config, "  mergePolicyVersion: 1\n", "  mergePolicyVersion: 1\n  vipFields: identities.id\n"
    )

    def fields(*args: str, env: dict[str, str] | None = None) -> str:
        result = run_cli(platform, workdir, ["plan", "--format", "json", *args], env=env)
        assert result.code == 0, result.err
        (change,) = [c for c in json.loads(result.out)["changes"] if c["name"] == "vip-emails"]
        return str(change["after"]["fields"])

    assert fields() == "identities.id"
    assert fields(env={"RECONCILER_VAR_vipFields": "from.env"}) == "from.env"
    both = fields("--var", "vipFields=from.flag", env={"RECONCILER_VAR_vipFields": "env"})
    assert both == "from.flag"
    edit(job, "${var.vipFields}", "${var.newFields}")
    assert fields("--var", "newFields=defined.here") == "defined.here"
    bad = run_cli(platform, workdir, ["plan", "--var", "no-equals-sign"])
    assert bad.code == 1 and "is not NAME=VALUE" in bad.err
