"""``reconciler emulator serve`` and ``seed`` as subprocesses on a loopback port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ORG_ID = "embedded@AdobeOrg"
CLIENT_ID = "reconciler-embedded"
# The benchmark's own secret; every child output is checked not to contain it.
SECRET = "bench-client-secret-never-printed"
_BANNER = re.compile(r"on (http://\S+) ")


@dataclass
class Server:
    url: str
    latency_ms: float
    process: subprocess.Popen[str] = field(repr=False)

    def env(self, sandbox: str) -> dict[str, str]:
        """The environment of a reconciler child pointed at this server (target ``env``)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
        env.update(
            AEP_PLATFORM_URL=self.url,
            AEP_IMS_URL=self.url,
            AEP_ORG_ID=ORG_ID,
            AEP_CLIENT_ID=CLIENT_ID,
            AEP_CLIENT_SECRET=SECRET,
            AEP_SANDBOX_NAME=sandbox,
            NO_COLOR="1",
            PYTHONUNBUFFERED="1",
        )
        return env

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def reconciler_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "aep_reconciler", *args]


def start(db: Path, latency_ms: float) -> Server:
    """Serve ``db`` on a free loopback port; jobs never move (they start in a day)."""
    cmd = reconciler_cmd("emulator", "serve", "--port", "0", "--db", str(db))
    cmd += ["--latency-ms", str(latency_ms)]
    cmd += ["--job-start-after", "86400", "--job-run-for", "60"]
    env = {**os.environ, "RECONCILER_EMULATOR_CLIENT_SECRET": SECRET}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = _BANNER.search(line)
    if match is None:
        proc.kill()
        raise RuntimeError(f"emulator serve did not start: {line!r}")
    return Server(match.group(1), latency_ms, proc)


def seed(db: Path, datasets: int, jobs: int, sandbox: str = "prod") -> None:
    cmd = reconciler_cmd(
        "emulator", "seed", "--db", str(db), "--datasets", str(datasets), "--jobs", str(jobs)
    )
    subprocess.run([*cmd, "--sandbox", sandbox], check=True, capture_output=True, text=True)
