"""drift run as a user would: out-of-band edits by another client become exactly those findings."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import HAND_CANCELS, SECRET, Platform, run_cli, wait_unlisted

CATALOG = "/data/foundation/catalog/dataSets"
JOBS = "/data/core/ups/export/jobs"
UNION = "https://ns.adobe.com/xdm/context/profile__union"
XED = "application/vnd.adobe.xed+json;version=1"


class OutOfBand:
    """Someone else's client: plain httpx with its own token, as a colleague's script would be."""

    def __init__(self, platform: Platform) -> None:
        self.http = httpx.Client(base_url=platform.url, timeout=30)
        token = self.http.post(
            "/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": "reconciler-embedded",
                "client_secret": SECRET,
                "scope": "openid,AdobeID",
            },
        )
        token.raise_for_status()
        self.http.headers.update(
            {
                "Authorization": f"Bearer {token.json()['access_token']}",
                "x-api-key": "reconciler-embedded",
                "x-gw-ims-org-id": "embedded@AdobeOrg",
                "x-sandbox-name": "prod",
            }
        )

    def close(self) -> None:
        self.http.close()

    def datasets(self, **params: str) -> dict[str, Any]:
        answer = self.http.get(CATALOG, params={"limit": "100", **params})
        answer.raise_for_status()
        found: dict[str, Any] = answer.json()
        return found

    def patch_dataset(self, dataset_id: str, body: Any, *, json_patch: bool = False) -> None:
        kind = "application/json-patch+json" if json_patch else "application/json"
        answer = self.http.patch(
            f"{CATALOG}/{dataset_id}", content=json.dumps(body), headers={"Content-Type": kind}
        )
        answer.raise_for_status()

    def create_dataset(self, body: dict[str, Any]) -> str:
        answer = self.http.post(CATALOG, json=body)
        answer.raise_for_status()
        return str(answer.json()[0]).rsplit("/", 1)[-1]

    def jobs(self) -> list[dict[str, Any]]:
        answer = self.http.get(JOBS, params={"limit": "100"})
        answer.raise_for_status()
        records: list[dict[str, Any]] = answer.json()["records"]
        return records

    def create_job(self, body: dict[str, Any]) -> str:
        answer = self.http.post(JOBS, json=body)
        answer.raise_for_status()
        return str(answer.json()["id"])

    def cancel_job(self, job_id: str) -> None:
        self.http.delete(f"{JOBS}/{job_id}").raise_for_status()

    def wait_finished(self) -> None:
        """Until no job is NEW or PROCESSING (jobs run 0.2 s here; bounded, not a timing test)."""
        for _ in range(200):
            if all(j["status"] in ("SUCCEEDED", "FAILED") for j in self.jobs()):
                return
            time.sleep(0.05)
        raise AssertionError(f"jobs did not finish: {[j['status'] for j in self.jobs()]}")


@pytest.fixture
def other(platform: Platform) -> Iterator[OutOfBand]:
    client = OutOfBand(platform)
    yield client
    client.close()


def job_named(jobs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """Tell the three example declarations apart by their requests."""
    for job in jobs:
        fields = job.get("fields") or ""
        kind = (
            "vip-emails"
            if "personalEmail" in fields
            else "lapsed-customers"
            if "person.name" in fields
            else "all-profiles"
        )
        if kind == name:
            return job
    raise AssertionError(f"no job for {name}")


def drift_json(platform: Platform, cwd: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli(platform, cwd, ["drift", "--format", "json", *extra])
    assert result.code in (0, 2), result.out + result.err
    return result.code, json.loads(result.out)


@HAND_CANCELS
def test_out_of_band_changes_of_every_type_are_exactly_the_findings(
    platform: Platform, workdir: Path, other: OutOfBand
) -> None:
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    code, clean = drift_json(platform, workdir)
    assert (code, clean["findings"], clean["in_sync"]) == (0, [], True)

    [(dataset_id, dataset)] = other.datasets(tags="reconciler-name:profile-export").items()
    other.wait_finished()
    jobs = other.jobs()
    # failed: all-profiles' job is cancelled by hand, and the stack's next apply runs it
    # again while a colleague has the dataset on another schema (that replacement is
    # refused without --allow-destroy): the stack's own new job FAILS
    cancelled = str(job_named(jobs, "all-profiles")["id"])
    other.cancel_job(cancelled)
    wait_unlisted(other.jobs, cancelled)  # a hand cancel shows once the job is gone
    other.patch_dataset(
        dataset_id, {"schemaRef": {"id": "https://ns.adobe.com/acme/x", "contentType": XED}}
    )
    rerun = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert "+ ExportJob/all-profiles" in rerun.out, rerun.out + rerun.err
    other.wait_finished()
    failed_id = str(job_named(other.jobs(), "all-profiles")["id"])
    other.patch_dataset(dataset_id, {"schemaRef": dataset["schemaRef"]})
    # changed: a colleague edits the description in the UI
    other.patch_dataset(dataset_id, {"description": "edited by hand"})
    # missing: the job of vip-emails is cancelled
    cancelled = str(job_named(jobs, "vip-emails")["id"])
    other.cancel_job(cancelled)
    wait_unlisted(other.jobs, cancelled)
    # unmanaged: someone else's export into the managed dataset
    foreign = {"schema": {"name": "_xdm.context.profile"}, "fields": "identities.id"}
    foreign_id = other.create_job({**foreign, "destination": {"datasetId": dataset_id}})
    # orphaned: a dataset carrying the stack's tag that no manifest declares
    orphan_id = other.create_dataset(
        {
            "name": "Retired export",
            "schemaRef": {"id": UNION, "contentType": XED},
            "fileDescription": {"persisted": True},
            "tags": {"reconciler-stack": ["marketing-exports"], "reconciler-name": ["retired"]},
        }
    )
    other.wait_finished()

    code, report = drift_json(platform, workdir)
    assert code == 2
    found = {(f["type"], f["kind"], f["name"], f["id"]) for f in report["findings"]}
    assert found == {
        ("changed", "Dataset", "profile-export", dataset_id),
        ("missing", "ExportJob", "vip-emails", None),
        ("failed", "ExportJob", "all-profiles", failed_id),
        ("unmanaged", "ExportJob", f"job-{foreign_id}", foreign_id),
        ("orphaned", "Dataset", "retired", orphan_id),
    }
    assert len(report["findings"]) == 5
    [changed] = [f for f in report["findings"] if f["type"] == "changed"]
    assert changed["paths"] == ["description"]
    assert changed["live"] == {"description": "edited by hand"}
    assert changed["declared"] == {
        "description": "Profiles exported by the marketing-exports stack"
    }
    assert changed["origin"] == "platform"
    [failed] = [f for f in report["findings"] if f["type"] == "failed"]
    assert "profile union schema" in failed["detail"]
    assert report["targets"][0]["counts"] == {
        "missing": 1,
        "changed": 1,
        "failed": 1,
        "stale": 0,
        "unmanaged": 1,
        "orphaned": 1,
        "acknowledged": 0,
    }

    text = run_cli(platform, workdir, ["drift"])
    assert text.code == 2
    lines = text.out.splitlines()
    assert len([line for line in lines if line.startswith("  ")]) == 5  # one line per finding
    assert any('description: "edited by hand" → ' in line for line in lines)
    assert lines[-1] == (
        "Drift local: 5 findings (1 missing, 1 changed, 1 failed, 1 unmanaged, 1 orphaned)."
    )


def test_platform_managed_fields_moving_never_count(
    platform: Platform, workdir: Path, other: OutOfBand
) -> None:
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    [(dataset_id, before)] = other.datasets(tags="reconciler-name:profile-export").items()
    other.wait_finished()  # jobs gain updateTime, metrics, batch ids
    # Adobe enabling the dataset for Profile: version and updated move, a platform tag appears
    other.patch_dataset(
        dataset_id,
        [{"op": "add", "path": "/tags/unifiedProfile", "value": ["enabled:true"]}],
        json_patch=True,
    )
    [(_, after)] = other.datasets(tags="reconciler-name:profile-export").items()
    assert (after["version"], after["updated"]) != (before["version"], before["updated"])
    jobs = other.jobs()
    assert all(j["status"] == "SUCCEEDED" and "metrics" in j for j in jobs)
    code, report = drift_json(platform, workdir)
    assert (code, report["findings"]) == (0, [])
    text = run_cli(platform, workdir, ["drift"])
    assert (text.code, text.out.splitlines()[-1]) == (0, "Drift local: in sync.")


def _add_target(workdir: Path, text: str) -> None:
    config = workdir / "specs" / "reconciler.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


STAGING = """
  staging:
    sandbox: staging
"""


def test_several_targets_one_report_each_and_one_exit_code(
    platform: Platform, workdir: Path
) -> None:
    _add_target(workdir, STAGING)
    applied = run_cli(platform, workdir, ["apply", "--auto-approve", "--target", "local"])
    assert applied.code == 0, applied.out + applied.err
    code, report = drift_json(platform, workdir, "--target", "local", "--target", "staging")
    assert code == 2
    assert [t["target"] for t in report["targets"]] == ["local", "staging"]
    local, staging = report["targets"]
    assert (local["in_sync"], local["findings"]) == (True, [])
    assert {(f["type"], f["name"]) for f in staging["findings"]} == {
        ("missing", "profile-export"),
        ("missing", "all-profiles"),
        ("missing", "lapsed-customers"),
        ("missing", "vip-emails"),
    }
    assert "findings" not in report  # only a single-target report keeps top-level findings
    code, only_local = drift_json(platform, workdir, "--target", "local")
    assert (code, only_local["findings"], only_local["target"]) == (0, [], "local")

    bad = run_cli(
        platform, workdir, ["drift", "--format", "json", "--target", "local", "--target", "nope"]
    )
    assert bad.code == 1
    targets = json.loads(bad.out)["targets"]
    assert [(t["target"], t["in_sync"]) for t in targets] == [("local", True), ("nope", False)]
    assert "unknown target 'nope'" in targets[1]["error"]
    assert "unknown target 'nope'" in bad.err


def test_markdown_report_names_every_target(platform: Platform, workdir: Path) -> None:
    _add_target(workdir, STAGING)
    result = run_cli(
        platform,
        workdir,
        ["drift", "--format", "markdown", "--target", "local", "--target", "staging"],
    )
    assert result.code == 2
    assert "drift: `local`" in result.out and "drift: `staging`" in result.out
    assert result.out.count("| missing | `Dataset/profile-export` |") == 2


def test_ignored_fields_never_count_and_are_counted(
    platform: Platform, workdir: Path, other: OutOfBand
) -> None:
    config = workdir / "specs" / "reconciler.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  local:\n", "  local:\n    ignoreFields:\n      Dataset: [description]\n"),
        encoding="utf-8",
    )
    manifest = workdir / "specs" / "datasets" / "profile-export.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + "  ignoreFields: [tags.team]\n", encoding="utf-8"
    )
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    [(dataset_id, dataset)] = other.datasets(tags="reconciler-name:profile-export").items()
    tags = {**dataset["tags"], "team": ["sales"]}
    other.patch_dataset(dataset_id, {"description": "edited by hand", "tags": tags})
    code, report = drift_json(platform, workdir)
    assert (code, report["findings"]) == (0, [])
    assert report["targets"][0]["ignored"] == {"Dataset/profile-export": 2}
    text_report = run_cli(platform, workdir, ["drift"])
    assert text_report.out.splitlines()[-1] == (
        "Drift local: in sync; 2 field(s) ignored by ignoreFields."
    )
    other.patch_dataset(dataset_id, {"name": "Renamed by hand"})  # not ignored: drift
    code, report = drift_json(platform, workdir)
    assert code == 2
    assert [(f["type"], f["paths"]) for f in report["findings"]] == [("changed", ["name"])]
