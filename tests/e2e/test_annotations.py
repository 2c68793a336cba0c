"""Under GitHub Actions every failing command also prints ``::error`` workflow commands:
validate on each problem's file, line and column, drift per target, apply on the error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import Platform, reconciler, run_cli

pytestmark = pytest.mark.e2e


def _break(workdir: Path) -> None:
    manifest = workdir / "specs" / "datasets" / "profile-export.yaml"
    manifest.write_text(manifest.read_text().replace("name: Profile", "nme: Profile", 1))


@pytest.mark.parametrize(
    ("extra_env", "args"),
    [({"GITHUB_ACTIONS": "true"}, ()), ({}, ("--format", "github"))],
    ids=["actions", "format-github"],
)
def test_validate_annotates_each_problem_at_its_file_line_and_column(
    workdir: Path, extra_env: dict[str, str], args: tuple[str, ...]
) -> None:
    _break(workdir)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "CI")}
    result = reconciler(workdir, {**env, **extra_env}, "validate", *args)
    assert result.returncode == 1, result.stderr
    assert (
        "::error file=specs/datasets/profile-export.yaml,line=9,col=3,"
        "title=reconciler validate::spec.nme: unknown field 'nme'" in result.stderr
    )
    plain = reconciler(workdir, env, "validate")
    assert plain.returncode == 1 and "::error" not in plain.stderr  # only when asked


def test_drift_and_apply_failures_are_annotated(
    platform: Platform, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # platform.env copies the environment
    env = {**platform.env, "AEP_CLIENT_SECRET": "not-the-secret"}
    drift = reconciler(workdir, env, "drift")
    assert drift.returncode == 1, drift.stderr
    assert "::error title=reconciler drift local::POST /ims/token/v3 failed: HTTP 401" in (
        drift.stderr
    )
    apply = reconciler(workdir, env, "apply", "--auto-approve")
    assert apply.returncode == 1, apply.stderr
    assert "::error title=reconciler apply::POST /ims/token/v3 failed: HTTP 401" in apply.stderr
    assert "Traceback" not in drift.stderr + apply.stderr
    assert run_cli(platform, workdir, ["drift"]).code == 2  # the right secret: drift, no error
