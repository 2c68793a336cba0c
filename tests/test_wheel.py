"""The wheel, built from this tree and installed in a fresh venv from the built file, runs
``--version``, ``validate`` and ``plan`` against the embedded platform.

Building needs setuptools and setuptools-scm (the test extra installs both); installing
needs the package index for the dependencies, nothing else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow
LEFT_OUT = (
    ".git",
    ".venv",
    ".reconciler",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
)


def _run(*cmd: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Outside the source tree, and with no PYTHONPATH: only the installed wheel is seen."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_wheel_installs_alone_and_plans(tmp_path: Path) -> None:
    # A copy without .git: the build leaves nothing in the tree, and the version falls back
    # as it does for any source without git metadata.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*LEFT_OUT))
    dist = tmp_path / "dist"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    _run(*pip, "-w", dist, source, cwd=tmp_path)
    (wheel,) = dist.glob("aep_reconciler-*.whl")
    fresh = tmp_path / "fresh"
    venv.create(fresh, with_pip=True)
    _run(fresh / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path)
    reconciler = fresh / "bin" / "reconciler"
    work = tmp_path / "work"
    shutil.copytree(ROOT / "specs", work / "specs")

    version = _run(reconciler, "--version", cwd=work).stdout.split()
    assert version == ["reconciler", wheel.name.split("-")[1]]
    assert "4 files, 4 documents" in _run(reconciler, "validate", cwd=work).stdout
    planned = _run(reconciler, "plan", cwd=work).stdout
    assert "Plan: 4 to create" in planned
    assert (work / ".reconciler" / "platform.db").exists()  # the embedded platform, in the wheel
