"""A plan against a served platform (as against Adobe) never loads the embedded one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import SPECS, Platform

pytestmark = pytest.mark.e2e

PLAN_AND_LIST_MODULES = (
    "import sys\n"
    "from aep_reconciler.cli import main\n"
    "code = main(['plan', sys.argv[1]])\n"
    "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def test_a_plan_against_a_platform_url_imports_neither_starlette_nor_the_emulator(
    platform: Platform, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PLAN_AND_LIST_MODULES, str(SPECS)],
        cwd=tmp_path,
        env=platform.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Plan:" in proc.stdout  # it really planned, against the served platform
    loaded = set(proc.stderr.split())
    assert "aep_reconciler.remote" in loaded and "httpx" in loaded
    heavy = {m for m in loaded if m.split(".")[0] in ("starlette", "uvicorn", "sqlite3", "duckdb")}
    assert heavy == set()
    assert {m for m in loaded if m.startswith("aep_reconciler.emulator")} == set()
    assert "aep_reconciler.remote.embedded" not in loaded
