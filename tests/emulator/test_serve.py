"""``reconciler emulator serve`` as a user runs it: banner, answers, persistence, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from emu_support import CLIENT_ID, DATASETS, JOBS, ORG, SECRET, served

pytestmark = pytest.mark.e2e


def token(url: str, secret: str = SECRET) -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": secret}
    resp = httpx.post(f"{url}/ims/token/v3", data=form)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def headers(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}", "x-api-key": CLIENT_ID, "x-gw-ims-org-id": ORG}


def test_serve_prints_banner_answers_and_persists(tmp_path: Path) -> None:
    db = tmp_path / "state" / "platform.db"
    with served(db) as (url, proc):
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        access = token(url)
        body = {"name": "kept", "schemaRef": {"id": "s"}}
        resp = httpx.post(f"{url}{DATASETS}", json=body, headers=headers(access))
        assert resp.status_code == 201
        ds = resp.json()[0].removeprefix("@/dataSets/")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        out, err = proc.communicate()
        assert SECRET not in out + err and "Traceback" not in err
    assert db.exists()
    with served(db) as (url, proc):
        resp = httpx.get(f"{url}{DATASETS}/{ds}", headers=headers(access))
        assert resp.status_code == 200 and resp.json()[ds]["name"] == "kept"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_secret_from_environment_and_banner_names_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILER_EMULATOR_CLIENT_SECRET", "from-env-secret")
    with served(tmp_path / "p.db", "--manual-clock") as (url, _):
        token(url, "from-env-secret")
        rejected = httpx.post(
            f"{url}/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": SECRET,
            },
        )
        assert rejected.status_code == 401
        assert httpx.get(f"{url}/_emulator/health").json()["status"] == "ok"


def test_dropped_connection_is_a_transport_error_over_http(tmp_path: Path) -> None:
    with served(tmp_path / "p.db", "--ambiguous-rate", "1", "--seed", "0") as (url, proc):
        access = token(url)
        errors: list[str] = []
        for _ in range(10):
            try:
                resp = httpx.post(
                    f"{url}{DATASETS}",
                    json={"name": "x", "schemaRef": {"id": "s"}},
                    headers=headers(access),
                )
                errors.append(str(resp.status_code))
            except httpx.TransportError:
                errors.append("dropped")
        assert "dropped" in errors and set(errors) <= {"502", "504", "dropped"}
        listed = httpx.get(f"{url}{DATASETS}", headers=headers(access)).json()
        assert len(listed) == 10
        jobs = httpx.get(f"{url}{JOBS}", headers=headers(access)).json()
        assert jobs["records"] == []
        proc.terminate()
        proc.wait(timeout=20)
        assert "Traceback" not in proc.communicate()[1]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "--host", "0.0.0.0"], "--allow-remote"),
        (["serve", "--fail-rate", "2", "--port", "0"], "fail_rate"),
        (["seed", "--db", "{tmp}/x.db", "--datasets", "0", "--jobs", "3"], "dataset"),
    ],
)
def test_user_errors_exit_1_without_traceback(tmp_path: Path, args: list[str], needle: str) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if argv[0] == "serve":
        argv += ["--db", str(tmp_path / "p.db")]
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "emulator", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert needle in done.stderr and "Traceback" not in done.stderr


def test_seed_command_prints_what_it_wrote(tmp_path: Path) -> None:
    db = tmp_path / "seed.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "seed",
            "--db",
            str(db),
            "--datasets",
            "5",
            "--jobs",
            "40",
            "--sandbox",
            "dev",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "5 datasets and 40 export jobs" in done.stdout and "/dev" in done.stdout
    with served(db) as (url, _):
        resp = httpx.get(f"{url}{JOBS}", headers=headers(token(url)) | {"x-sandbox-name": "dev"})
        assert len(resp.json()["records"]) == 40
