"""Release engineering that no other test exercises: names, license, image, release flow."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from ruamel.yaml import YAML

from aep_reconciler.commands._parser import candidates

ROOT = Path(__file__).resolve().parent.parent


def _yaml(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_the_distribution_is_aep_reconciler_versioned_by_tags() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    meta = project["project"]
    assert meta["name"] == "aep-reconciler" and meta["dynamic"] == ["version"]
    assert "version" not in meta and meta["license-files"] == ["LICENSE"]
    assert "fallback_version" in project["tool"]["setuptools_scm"]
    assert list(meta["scripts"]) == ["reconciler"]  # the command keeps its name
    assert meta["scripts"]["reconciler"].startswith("aep_reconciler.")
    assert {"Source", "Issues", "Changelog"} <= set(meta["urls"])


def test_license_is_the_full_apache_2_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 190


def _stages(dockerfile: str) -> dict[str, list[str]]:
    """Stage name → its lines, in file order."""
    stages: dict[str, list[str]] = {}
    current = ""
    for line in dockerfile.replace("\\\n", " ").splitlines():
        found = re.match(r"FROM \S+ AS (\S+)", line)
        if found:
            current = found.group(1)
            stages[current] = []
        elif current:
            stages[current].append(line)
    return stages


def _entrypoint(lines: list[str]) -> list[str]:
    (line,) = [x for x in lines if x.startswith("ENTRYPOINT ")]
    words: list[str] = json.loads(line.removeprefix("ENTRYPOINT "))
    return words


def test_the_image_runs_the_cli_by_default_and_serves_the_emulator_as_a_second_target() -> None:
    stages = _stages((ROOT / "Dockerfile").read_text())
    assert list(stages)[-1] == "cli"  # the default target is the last stage
    assert _entrypoint(stages["cli"]) == ["reconciler"]
    serve = _entrypoint(stages["emulator"])
    assert serve[:3] == ["reconciler", "emulator", "serve"]
    flags = [w for w in serve if w.startswith("--")]
    assert set(flags) <= set(candidates(["emulator", "serve"]))
    assert "--allow-remote" in flags
    assert any(x.startswith("HEALTHCHECK") for x in stages["emulator"])


def test_dependabot_watches_the_pinned_actions() -> None:
    config = _yaml(ROOT / ".github" / "dependabot.yml")
    assert isinstance(config, dict)
    (update,) = config["updates"]
    assert update["package-ecosystem"] == "github-actions"
    assert "/.github/actions/reconciler" in update["directories"]


def test_release_builds_tests_the_wheel_then_publishes_with_trusted_publishing() -> None:
    flow = _yaml(ROOT / ".github" / "workflows" / "release.yml")
    assert isinstance(flow, dict)
    assert flow["on"]["push"]["tags"] == ["v*"]
    jobs = flow["jobs"]
    assert jobs["test-wheel"]["needs"] == "build" and jobs["publish"]["needs"] == "test-wheel"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    steps = jobs["publish"]["steps"]
    assert steps[-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert not any("password" in s.get("with", {}) for s in steps)  # no stored token
    script = "".join(s.get("run", "") for s in jobs["test-wheel"]["steps"])
    for command in ("--version", "validate", "plan", "venv", "dist/*.whl"):
        assert command in script
