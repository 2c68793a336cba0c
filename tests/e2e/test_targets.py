"""Explicit targets: CI never falls back to the embedded platform, every header says where a
plan was made, and commands that act on a stack need one named in reconciler.yaml."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import SPECS, Platform, reconciler, run_cli

pytestmark = pytest.mark.e2e


def _cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "CI"))}
    return reconciler(cwd, {**base, "NO_COLOR": "1", **env}, *args)


def _tree(tmp_path: Path, local_target: str) -> Path:
    """specs/ whose ``local`` target is written as ``local_target``."""
    shutil.copytree(SPECS, tmp_path / "specs")
    config = tmp_path / "specs" / "reconciler.yaml"
    text = config.read_text().replace("  local:\n    platform: embedded\n", local_target)
    config.write_text(text)
    return tmp_path


def test_ci_with_a_target_without_platform_url_applies_nothing(tmp_path: Path) -> None:
    work = _tree(tmp_path, "  local:\n")
    result = _cli(work, "apply", "--auto-approve", CI="true")
    assert result.returncode == 1, result.stderr
    assert "specs/reconciler.yaml:14:3: error: targets.local: names no platform" in result.stderr
    assert "CI=true" in result.stderr and "Traceback" not in result.stderr
    assert "Apply complete" not in result.stdout
    assert not (work / ".reconciler").exists()  # no embedded platform was even created
    assert _cli(work, "validate", CI="true").returncode == 1  # validate says so first
    assert _cli(work, "plan").returncode == 0  # outside CI: the embedded platform, and it says so


def test_a_target_naming_credentials_needs_a_platform(tmp_path: Path) -> None:
    work = _tree(tmp_path, "  local:\n    clientSecretEnv: MY_SECRET\n")
    result = _cli(work, "plan")
    assert result.returncode == 1
    assert "targets.local: names credentials but no platform" in result.stderr


def test_no_reconciler_yaml_under_ci_is_refused_too(tmp_path: Path) -> None:
    shutil.copytree(SPECS / "datasets", tmp_path / "specs")
    result = _cli(tmp_path, "plan", CI="true")
    assert result.returncode == 1 and "CI=true" in result.stderr, result.stderr


def test_every_header_names_endpoint_org_and_sandbox(tmp_path: Path) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    text = _cli(tmp_path, "plan", CI="true")
    assert text.returncode == 0, text.stderr
    where = "embedded platform (.reconciler/platform.db) · org embedded@AdobeOrg · sandbox prod"
    assert f"reconciler plan · stack marketing-exports · target local: {where}" in text.stderr
    as_json = json.loads(_cli(tmp_path, "plan", "--format", "json").stdout)
    assert as_json["endpoint"] == {
        "platform": ".reconciler/platform.db",
        "org": "embedded@AdobeOrg",
        "sandbox": "prod",
        "embedded": True,
    }
    markdown = _cli(tmp_path, "plan", "--format", "markdown").stdout
    assert "On **embedded platform** (`.reconciler/platform.db`) · org `embedded@AdobeOrg`" in (
        markdown
    )
    drift = _cli(tmp_path, "drift", "--format", "markdown").stdout
    assert "On **embedded platform**" in drift
    applied = _cli(tmp_path, "apply", "--auto-approve")
    assert f"target local: {where}" in applied.stderr


def test_a_remote_endpoint_is_named_as_its_url(platform: Platform, workdir: Path) -> None:
    result = run_cli(platform, workdir, ["drift", "--format", "json"])
    report = json.loads(result.out)
    assert report["endpoint"] == {
        "platform": platform.url,
        "org": "embedded@AdobeOrg",
        "sandbox": "prod",
        "embedded": False,
    }


def test_apply_drift_and_import_need_a_stack_named_in_reconciler_yaml(tmp_path: Path) -> None:
    first = tmp_path / "a" / "specs"
    shutil.copytree(SPECS / "datasets", first)
    assert _cli(tmp_path / "a", "plan").returncode == 0  # reading is harmless
    for args in (("apply", "--auto-approve"), ("drift",), ("import", "Dataset", "x", "0" * 24)):
        result = _cli(tmp_path / "a", *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "needs an explicit stack" in result.stderr and "reconciler.yaml" in result.stderr
