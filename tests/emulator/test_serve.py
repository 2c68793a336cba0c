"""``reconciler emulator serve`` as a user runs it: banner, answers, persistence, clean stop."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from aep_reconciler.cli import main
from aep_reconciler.emulator import EmulatorConfig, create_app
from tests.emulator.emu_support import CLIENT_ID, DATASETS, JOBS, ORG, SECRET, served

pytestmark = pytest.mark.e2e


def token(url: str, secret: str = SECRET) -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": secret}
    form["scope"] = "openid,AdobeID"
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
        ds = resp.json()[0].rsplit("/", 1)[1]
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
                "scope": "openid",
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
        (["serve", "--host", "example.com"], "--allow-remote"),
        (["serve", "--fail-rate", "2", "--port", "0"], "fail_rate"),
        (["serve", "--max-page-size", "0", "--port", "0"], "max_page_size"),
        (["serve", "--variant", "cancel=later", "--port", "0"], "vanish, linger, fail"),
        (["serve", "--cancel-linger", "-1", "--port", "0"], "negative"),
        (["serve", "--variant", "nope=1", "--port", "0"], "catalog-page-cap"),
        (["seed", "--db", "{tmp}/x.db", "--datasets", "0", "--jobs", "3"], "dataset"),
        (["seed", "--db", "{tmp}/bad.db", "--datasets", "1", "--jobs", "0"], "not a database"),
        (["seed", "--db", "{tmp}/x.db", "--datasets", "9" * 20], "at most 1,000,000 datasets"),
        (["seed", "--db", "{tmp}/x.db", "--profiles", "9" * 20], "profiles must be at most"),
        (
            ["seed", "--db", "{tmp}/x.db", "--profiles", "1", "--events-per-profile", "9" * 20],
            "events per profile must be at most",
        ),
        (
            ["seed", "--db", "{tmp}/x.db", "--profiles", "9000000", "--events-per-profile", "99"],
            "events must be at most 100,000,000",
        ),
        (["seed", "--db", "{tmp}/x.db", "--profiles", "1", "--audiences", "9" * 11], "audiences"),
        (["seed", "--db", "{tmp}/x.db", "--profiles", "1", "--seed", "9" * 20], "the seed"),
    ],
)
def test_user_errors_exit_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    (tmp_path / "bad.db").write_text("not sqlite")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if argv[0] == "serve":
        argv += ["--db", str(tmp_path / "p.db")]
    assert main(["emulator", *argv]) == 1
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_seed_command_prints_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "seed.db"
    argv = ["--db", str(db), "--datasets", "5", "--jobs", "40", "--sandbox", "dev"]
    assert main(["emulator", "seed", *argv]) == 0
    out = capsys.readouterr().out
    assert "5 datasets and 40 export jobs" in out and "/dev" in out and str(db) in out
    platform = create_app(EmulatorConfig(db_path=str(db))).state.platform
    rows = platform.db.conn.execute("SELECT count(*) FROM jobs WHERE tenant LIKE '%/dev'")
    assert rows.fetchone()[0] == 40
    platform.close()


def test_listen_sets_tcp_nodelay() -> None:
    import socket

    from aep_reconciler.commands import emulator as command

    sock = command._listen("127.0.0.1", 0)
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()
