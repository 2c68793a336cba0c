"""Ctrl-C is exit 130 with one line, never a traceback: while the commands are still being
imported, and once a command runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import SPECS, start_platform, stop_platform

# The program's entry point, announcing itself once its handler is in place (run() installs
# the same one first thing; announcing before it would race the interrupt against it).
ENTRY = (
    "import signal, aep_reconciler.__main__ as entry; "
    "signal.signal(signal.SIGINT, entry._interrupted); print('ready', flush=True); entry.run()"
)


def _interrupt_when(
    proc: subprocess.Popen[str], stream_line: str, delay: float = 0.0
) -> tuple[int, str]:
    stream = proc.stdout if stream_line == "ready" else proc.stderr
    assert stream is not None
    for line in stream:
        if stream_line in line:
            break
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def test_an_interrupt_while_the_cli_is_imported_exits_130(tmp_path: Path) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "plan"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    code, err = _interrupt_when(proc, "ready")
    assert code == 130, err
    assert err.strip() == "reconciler: interrupted"


# 0 s lands while the event loop is being built; the others while requests are in flight.
@pytest.mark.parametrize("delay", [0.0, 0.003, 0.03, 0.3])
def test_an_interrupt_during_a_plan_exits_130(tmp_path: Path, delay: float) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    served = start_platform(tmp_path / "platform.db", "--latency-ms", "400")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
        env.update(served.env)
        proc = subprocess.Popen(
            [sys.executable, "-m", "aep_reconciler", "plan"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        code, err = _interrupt_when(proc, "reconciler plan ·", delay)
    finally:
        stop_platform(served)
    assert code == 130, err
    assert err.splitlines()[-1] == "reconciler: interrupted", err
    assert "Traceback" not in err and "never awaited" not in err and "Exception" not in err
