"""The project's workflows, its composite action and the example workflows follow the rules
actionlint and zizmor (run by scripts/check) leave to us, and the action's script works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
TEMPLATES = ROOT / "aep_reconciler" / "templates" / "workflows"
EXAMPLES = sorted(TEMPLATES.glob("*.yml"))
ACTION = ROOT / ".github" / "actions" / "reconciler"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_there_are_workflows_to_check() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"reconciler-plan.yml", "reconciler-apply.yml", "reconciler-drift.yml"} <= names
    assert (ROOT / ".github" / "workflows" / "ci.yml") in WORKFLOWS


def _steps(doc: Any) -> list[dict[str, Any]]:
    if "runs" in doc:
        return list(doc["runs"].get("steps", []))
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("path", [*WORKFLOWS, *EXAMPLES, ACTION / "action.yml"], ids=str)
def test_actions_are_pinned_and_scripts_take_no_expressions(path: Path) -> None:
    for step in _steps(_load(path)):
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to a full commit SHA"
        run = step.get("run", "")
        assert "${{" not in run, f"{path.name}: pass expressions through env:, not into run:"


@pytest.mark.parametrize("path", [*WORKFLOWS, *EXAMPLES], ids=str)
def test_workflows_grant_permissions_explicitly(path: Path) -> None:
    doc = _load(path)
    assert "permissions" in doc, f"{path.name}: no top-level permissions"
    top = doc["permissions"] or {}
    assert all(v in ("read", "none") for v in top.values()), f"{path.name}: writes at top level"


def test_examples_do_what_issue_5_asks() -> None:
    plan, apply, drift = (
        _load(TEMPLATES / f"reconciler-{n}.yml") for n in ("plan", "apply", "drift")
    )
    plan_text = (TEMPLATES / "reconciler-plan.yml").read_text()
    assert "pull_request" in plan["on"] and "<!-- reconciler-plan -->" in plan_text
    assert plan["jobs"]["plan"]["strategy"]["matrix"]["target"]
    job = apply["jobs"]["apply"]
    assert apply["on"]["push"]["branches"] == ["main"]
    assert job["concurrency"]["group"] == "reconciler-apply-${{ matrix.target }}"
    assert job["concurrency"]["cancel-in-progress"] is False
    assert any("plan-file" in s.get("with", {}) for s in job["steps"])
    assert "schedule" in drift["on"]
    assert "issues" in drift["jobs"]["issue"]["permissions"]


def test_action_declares_its_inputs_and_outputs() -> None:
    doc = _load(ACTION / "action.yml")
    assert doc["runs"]["using"] == "composite"
    assert {"command", "path", "target", "args", "python-version", "version"} <= set(doc["inputs"])
    assert {"exit-code", "report"} <= set(doc["outputs"])


def _run_action(
    tmp_path: Path, command: str, env_extra: dict[str, str] | None = None, **inputs: str
) -> dict[str, str]:
    """run.sh as the runner would call it, against the embedded platform in ``tmp_path``;
    what it printed is in ``stdout``."""
    out = tmp_path / f"outputs-{len(list(tmp_path.glob('outputs-*')))}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "GITHUB_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        RUNNER_TEMP=str(tmp_path),
        GITHUB_OUTPUT=str(out),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        RECONCILER_COMMAND=command,
        RECONCILER_PATH="specs",
        RECONCILER_TARGET=inputs.get("target", ""),
        RECONCILER_PLAN_FILE=inputs.get("plan_file", ""),
        RECONCILER_ARGS=inputs.get("args", ""),
        NO_COLOR="1",
        **(env_extra or {}),
    )
    result = subprocess.run(
        ["bash", str(ACTION / "run.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    outputs = (
        dict(line.split("=", 1) for line in out.read_text().splitlines()) if out.exists() else {}
    )
    outputs["status"] = str(result.returncode)
    outputs["stdout"] = result.stdout
    return outputs


def test_action_script_reports_exit_codes_and_markdown(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    plan_file = str(tmp_path / "plans" / "local.plan")
    planned = _run_action(tmp_path, "plan", target="local", plan_file=plan_file)
    assert (planned["status"], planned["exit-code"]) == ("0", "2")  # changes are not a failure
    assert Path(planned["plan-file"]).is_file()
    assert "### reconciler plan: `local`" in Path(planned["report"]).read_text()
    drift = _run_action(tmp_path, "drift", target="local")
    assert (drift["status"], drift["exit-code"]) == ("0", "2")
    assert "| missing | `Dataset/profile-export` |" in Path(drift["report"]).read_text()
    assert "drift: `local`" in (tmp_path / "summary.md").read_text()
    bad = _run_action(tmp_path, "drift", target="nope")
    assert (bad["status"], bad["exit-code"]) == ("1", "1")  # an error fails the step
    several = _run_action(tmp_path, "plan", target="local other")
    assert several["status"] == "1" and "exit-code" not in several


def test_a_failing_plan_shows_its_diagnostic_everywhere_github_looks(tmp_path: Path) -> None:
    """The summary and the report (the pull-request comment's body) hold the diagnostic,
    and the step's output carries it as an annotation on the file, line and column."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    broken = tmp_path / "specs" / "datasets" / "profile-export.yaml"
    broken.write_text(broken.read_text().replace("name: Profile", "nme: Profile", 1))
    failed = _run_action(tmp_path, "plan", {"GITHUB_ACTIONS": "true"}, target="local")
    assert (failed["status"], failed["exit-code"]) == ("1", "1")
    diagnostic = "specs/datasets/profile-export.yaml:9:3: error: spec.nme: unknown field 'nme'"
    report = Path(failed["report"]).read_text()
    assert "### ❌ reconciler plan local failed (exit 1)" in report and diagnostic in report
    assert diagnostic in (tmp_path / "summary.md").read_text()
    assert "::error file=specs/datasets/profile-export.yaml,line=9,col=3," in failed["stdout"]
    assert "::error" not in report  # annotations are for the runner, not for readers


def _uses_action(step: dict[str, Any]) -> bool:
    return "/.github/actions/reconciler@" in str(step.get("uses", ""))


def test_examples_keep_credentials_in_environments_and_endpoints_in_the_workflow() -> None:
    """Plan and drift read with a read-only credential in "<target>-plan", apply alone has
    the write one in "<target>"; no repository-level secret; every run of the action gets
    its endpoints from the workflow, so the pull request's reconciler.yaml cannot move them."""
    environments = {"plan": "-plan", "drift": "-plan", "apply": ""}
    for name, suffix in environments.items():
        path = TEMPLATES / f"reconciler-{name}.yml"
        job = _load(path)["jobs"][name]
        assert job["environment"] == "${{ matrix.target }}" + suffix, name
        assert job["strategy"]["matrix"]["target"] == ["staging", "production"], name
        secrets = set(re.findall(r"secrets\.(\w+)", path.read_text()))
        assert secrets <= {"AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "RECONCILER_PLAN_KEY"}, name
        runs = [s for s in job["steps"] if _uses_action(s)]
        assert runs, name
        for step in runs:
            env = step["env"]
            assert env["AEP_PLATFORM_URL"] == "https://platform.adobe.io", name
            assert env["AEP_IMS_URL"] == "https://ims-na1.adobelogin.com", name


def test_the_example_reconciler_yaml_matches_the_workflows(tmp_path: Path) -> None:
    config = _load(ROOT / "examples" / "reconciler.yaml")
    assert set(config["targets"]) == {"staging", "production"}
    assert all(t["clientSecretEnv"] == "AEP_CLIENT_SECRET" for t in config["targets"].values())
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copy(ROOT / "examples" / "reconciler.yaml", tmp_path / "specs" / "reconciler.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "RECONCILER_"))}
    for target in config["targets"]:
        result = subprocess.run(
            [str(BIN / "reconciler"), "validate", "specs", "--target", target],
            cwd=tmp_path,
            env={**env, "CI": "true"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_the_repositorys_pre_commit_hooks_use_the_venvs_tools() -> None:
    """Local hooks only: nothing is fetched, and each calls a tool the test extras install."""
    config = _load(ROOT / ".pre-commit-config.yaml")
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    ids = {hook["id"] for hook in repo["hooks"]}
    assert {"ruff", "ruff-format", "mypy", "actionlint", "zizmor"} <= ids
    for hook in repo["hooks"]:
        assert hook["language"] == "system"
        tool = hook["entry"].removeprefix("bash -c '").split()[0]
        assert tool.startswith(".venv/bin/"), hook["entry"]
        assert (BIN / tool.removeprefix(".venv/bin/")).exists(), f"{tool} is not installed"
