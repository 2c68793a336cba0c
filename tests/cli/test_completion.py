"""Shell completion: the scripts ask reconciler back, which answers from the command typed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aep_reconciler.commands._parser import COMMANDS, candidates

BIN = Path(sys.executable).parent


def test_candidates_follow_the_command_line() -> None:
    assert set(COMMANDS) <= set(candidates([]))
    assert "--version" in candidates([])
    assert {"--format", "--out", "--detailed-exitcode", "--no-color"} <= set(candidates(["plan"]))
    assert candidates(["plan", "--format"]) == ["text", "json", "markdown", "github"]
    assert candidates(["plan", "--out"]) == []  # a file name: the shell completes it
    assert {"serve", "seed"} <= set(candidates(["emulator"]))
    assert "--manual-clock" in candidates(["emulator", "serve"])
    assert "--manual-clock" not in candidates(["emulator", "seed"])


def _script(shell: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "aep_reconciler", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _bash_complete(*words: str) -> list[str]:
    script = _script("bash")
    line = " ".join(f"'{w}'" for w in words)
    probe = (
        f"{script}\nCOMP_WORDS=(reconciler {line}); COMP_CWORD={len(words)}\n"
        "_reconciler_complete; printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_the_bash_script_completes_commands_flags_and_choices() -> None:
    assert _bash_complete("dr") == ["drift"]
    assert _bash_complete("plan", "--det") == ["--detailed-exitcode"]
    assert _bash_complete("drift", "--format", "m") == ["markdown"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="no zsh")
def test_the_zsh_script_parses() -> None:
    done = subprocess.run(["zsh", "-n", "-c", _script("zsh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_completion_needs_one_known_shell() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aep_reconciler", "completion", "fish"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "name one shell" in done.stderr and "Traceback" not in done.stderr
