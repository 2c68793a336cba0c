"""cli.py maps outcomes to exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aep_reconciler import __version__
from aep_reconciler.cli import main


def test_version_flag_prints_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_command_is_a_usage_error_with_exit_1() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aep_reconciler", "no-such-command"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "invalid choice" in proc.stderr
