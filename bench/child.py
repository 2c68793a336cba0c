"""Run a child process and measure it: wall time, its own CPU and peak memory, timed lines."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bench.server import SECRET

_OBSERVED = re.compile(r"observed (\d+) datasets? and (\d+) export jobs? in (\d+) requests?")


@dataclass
class ChildRun:
    code: int
    seconds: float
    cpu_seconds: float  # user + system of the child alone (its rusage from wait4)
    max_rss_mb: float
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, line)
    err: str = ""

    @property
    def out(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def observed(self) -> tuple[int, int, int]:
        """(datasets, jobs, requests) from the plan's "observed …" line."""
        match = _OBSERVED.search(self.out)
        if match is None:
            raise RuntimeError(f"no 'observed' line in the output: {self.out[:300]!r}")
        return int(match[1]), int(match[2]), int(match[3])

    def first_line_at(self, prefix: str) -> float:
        for at, line in self.lines:
            if line.startswith(prefix):
                return at
        raise RuntimeError(f"no line starting with {prefix!r}")


def run_child(cmd: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> ChildRun:
    """Run ``cmd``, timestamping each stdout line as it arrives (the child is unbuffered)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    lines = [(time.perf_counter() - started, line.rstrip("\n")) for line in proc.stdout]
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    proc.stdout.close()
    proc.stderr.close()
    run = ChildRun(
        code=proc.returncode,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        lines=lines,
        err="".join(err),
    )
    if SECRET in run.out or SECRET in run.err:
        raise RuntimeError("the client secret appeared in a child's output")
    return run
