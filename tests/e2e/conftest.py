"""E2E fixtures: `reconciler emulator serve` on a loopback port, and the CLI run as a user would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
BANNER = re.compile(r"on (http://\S+) ")
SECRET = "e2e-client-secret-do-not-print"  # the tests grep every output for it


@dataclass
class Platform:
    url: str
    process: subprocess.Popen[str]
    db: Path
    outputs: list[str] = field(default_factory=list)  # everything the CLI printed
    clients: list[Any] = field(default_factory=list)  # OtherClient connections, closed at stop

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
        env.update(
            AEP_PLATFORM_URL=self.url,
            AEP_IMS_URL=self.url,
            AEP_ORG_ID="embedded@AdobeOrg",
            AEP_CLIENT_ID="reconciler-embedded",
            AEP_CLIENT_SECRET=SECRET,
            NO_COLOR="1",
        )
        return env


def start_platform(db: Path, *extra: str) -> Platform:
    env = {**os.environ, "RECONCILER_EMULATOR_CLIENT_SECRET": SECRET}
    cmd = [
        sys.executable,
        "-m",
        "aep_reconciler",
        "emulator",
        "serve",
        "--port",
        "0",
        "--db",
        str(db),
    ]
    proc = subprocess.Popen(
        [*cmd, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = BANNER.search(line)
    if not match:
        proc.kill()
        proc.communicate(timeout=10)
        raise RuntimeError(f"emulator serve did not start: {line!r}")
    return Platform(match.group(1), proc, db)


def stop_platform(platform: Platform) -> str:
    """Stop the server (again is a no-op) and return what it printed after its banner."""
    for client in platform.clients:
        client.close()  # an unclosed connection is a ResourceWarning
    platform.process.terminate()
    try:
        platform.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        platform.process.kill()
        platform.process.wait(timeout=10)
    pipe = platform.process.stdout
    if pipe is None or pipe.closed:
        return ""
    with pipe:  # an unclosed pipe is a ResourceWarning
        return pipe.read()


@pytest.fixture
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    """A fresh embedded platform served on a free loopback port (sandboxes prod and staging);
    jobs finish in 0.2 s. ``parametrize("platform", [flags, ...], indirect=True)`` adds
    ``emulator serve`` flags (``HAND_CANCELS`` does)."""
    served = start_platform(
        tmp_path / "platform.db",
        *("--job-start-after", "0.1", "--job-run-for", "0.1"),
        *("--sandbox", "staging"),  # the second target of the drift tests
        *getattr(request, "param", ()),
    )
    yield served
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text, "the client secret leaked into the CLI's output"


# Tests about a job cancelled *by hand* run under both ways a platform may show it. Under
# cancel=linger (Adobe's default) the job stays listed, unchanged, until it vanishes: nothing
# tells anyone it was cancelled before then, so the test waits out a linger window shortened
# to 0.3 s (wait_unlisted). Under cancel=vanish it is gone at once. (cancel=fail leaves a job
# that already finished untouched, so a hand cancel of it never shows: not a drift story.)
HAND_CANCELS = pytest.mark.parametrize(
    "platform",
    [("--cancel-linger", "0.3"), ("--variant", "cancel=vanish")],
    ids=["linger", "vanish"],
    indirect=True,
)


def wait_unlisted(jobs: Callable[[], list[dict[str, Any]]], job_id: str) -> None:
    """Until the job list no longer holds ``job_id`` (bounded; not a timing assertion)."""
    deadline = time.monotonic() + 30
    while any(str(j["id"]) == job_id for j in jobs()):
        assert time.monotonic() < deadline, f"job {job_id} is still listed"
        time.sleep(0.05)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A copy of the example specs/ tree to edit."""
    work = tmp_path / "work"
    shutil.copytree(SPECS, work / "specs")
    return work


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[Platform]:
    """A platform whose clock only moves when told: export jobs stay NEW (active)."""
    served = start_platform(tmp_path / "frozen.db", "--manual-clock")
    yield served
    stop_platform(served)
    for text in served.outputs:
        assert SECRET not in text, "the client secret leaked into the CLI's output"


def read_terminal(platform: Platform, leader: int, proc: subprocess.Popen[Any]) -> str:
    """Everything the CLI wrote to the pseudo-terminal ``leader`` until it closed it."""
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    text = b"".join(chunks).decode()
    platform.outputs.append(text)
    return text


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def reconciler(
    cwd: Path, env: Mapping[str, str], *args: str, input_: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``reconciler ARGS`` as a user runs it, in ``cwd`` with exactly ``env``."""
    return subprocess.run(
        [sys.executable, "-m", "aep_reconciler", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        input=input_,
        timeout=120,
    )


def run_cli(
    platform: Platform,
    cwd: Path,
    args: Sequence[str],
    *,
    input_: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Result:
    """The CLI against ``platform``; ``env`` adds variables to the platform's."""
    proc = reconciler(cwd, {**platform.env, **(env or {})}, *args, input_=input_)
    platform.outputs += [proc.stdout, proc.stderr]
    return Result(proc.returncode, proc.stdout, proc.stderr)


class OtherClient:
    """Someone else's client (plain httpx, its own token): makes out-of-band changes."""

    CATALOG = "/data/foundation/catalog/dataSets"
    JOBS = "/data/core/ups/export/jobs"

    def __init__(self, platform: Platform) -> None:
        import httpx

        env = platform.env
        token = httpx.post(
            f"{platform.url}/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": env["AEP_CLIENT_ID"],
                "client_secret": SECRET,
                "scope": "openid,AdobeID",
            },
        ).json()["access_token"]
        self.http = httpx.Client(
            base_url=platform.url,
            headers={
                "Authorization": f"Bearer {token}",
                "x-api-key": env["AEP_CLIENT_ID"],
                "x-gw-ims-org-id": env["AEP_ORG_ID"],
                "x-sandbox-name": "prod",
            },
        )
        platform.clients.append(self.http)

    def dataset(self, dataset_id: str) -> dict[str, Any]:
        answer = self.http.get(f"{self.CATALOG}/{dataset_id}")
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()[dataset_id]
        return body

    def datasets(self) -> dict[str, dict[str, Any]]:
        answer = self.http.get(self.CATALOG, params={"limit": 100})
        answer.raise_for_status()
        found: dict[str, dict[str, Any]] = answer.json()
        return found

    def create_dataset(self, body: dict[str, Any]) -> str:
        answer = self.http.post(self.CATALOG, json=body)
        answer.raise_for_status()
        return str(answer.json()[0]).rsplit("/", 1)[1]

    def patch_dataset(self, dataset_id: str, body: dict[str, Any]) -> None:
        self.http.patch(f"{self.CATALOG}/{dataset_id}", json=body).raise_for_status()

    def delete_dataset(self, dataset_id: str) -> None:
        self.http.delete(f"{self.CATALOG}/{dataset_id}").raise_for_status()

    def jobs(self) -> list[dict[str, Any]]:
        answer = self.http.get(self.JOBS, params={"limit": 100})
        answer.raise_for_status()
        records: list[dict[str, Any]] = answer.json()["records"]
        return records

    def settled_jobs(self, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The job list once no job is still running: a job that fell due exports its
        profiles in the background after the first read, then finishes."""
        deadline = time.monotonic() + timeout
        while True:
            jobs = self.jobs()
            if all(j["status"] in ("SUCCEEDED", "FAILED") for j in jobs):
                return jobs
            assert time.monotonic() < deadline, [j["status"] for j in jobs]
            time.sleep(0.05)

    def create_job(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.http.post(self.JOBS, json=body)
        answer.raise_for_status()
        job: dict[str, Any] = answer.json()
        return job

    def cancel_job(self, job_id: str) -> None:
        self.http.delete(f"{self.JOBS}/{job_id}").raise_for_status()

    def advance_clock(self, seconds: float) -> None:
        self.http.post("/_emulator/clock", json={"advanceSeconds": seconds}).raise_for_status()


@pytest.fixture
def other(platform: Platform) -> Iterator[OtherClient]:
    """A second client onto the served platform, as a colleague with their own script."""
    client = OtherClient(platform)
    yield client
    client.http.close()
