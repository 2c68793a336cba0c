"""A locked embedded database: reconciler waits the busy timeout, then says what to do."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import SPECS, reconciler

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("command", [["apply", "--auto-approve"], ["plan"], ["drift"]])
def test_a_locked_embedded_database_is_a_clear_error(tmp_path: Path, command: list[str]) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
    assert reconciler(tmp_path, env, "plan").returncode == 0  # creates the database
    holder = sqlite3.connect(tmp_path / ".reconciler" / "platform.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a write
    try:
        result = reconciler(tmp_path, env, *command)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1, result.stderr
    assert "platform.db is locked by another process" in result.stderr
    assert "wait for it to finish, then run again" in result.stderr
    assert "Traceback" not in result.stderr
    assert reconciler(tmp_path, env, "apply", "--auto-approve").returncode == 0  # once free
