"""Secrets never leak, and the embedded platform keeps tenants, tokens and body sizes in check.

A representative run of every command (and of every error family) against the served
platform must never print the client secret or an access token; neither may saved plans,
files the CLI writes, exception text, log lines or reprs. Then the platform's own guards:
one org's token reaches no other org or its sandboxes, tokens expire, huge bodies are refused.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aep_reconciler.diagnostics import ApiError
from aep_reconciler.emulator import EmulatorConfig, create_app
from aep_reconciler.emulator.clock import ManualClock
from aep_reconciler.emulator.config import Credential
from aep_reconciler.manifests.project import load_project
from aep_reconciler.remote import AepClient, Connection, RetryPolicy
from aep_reconciler.target import resolve
from tests.e2e.conftest import (
    SECRET,
    SPECS,
    OtherClient,
    Platform,
    Result,
    start_platform,
    stop_platform,
)

BAD_SECRET = "wrong-secret-also-never-printed-7f3a"
TOKEN_SHAPE = re.compile(r"eyJ[A-Za-z0-9_-]{20,}")  # what the platform issues
GHOST = "0" * 24


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Platform]:
    platform = start_platform(
        tmp_path / "platform.db", "--job-start-after", "0.1", "--job-run-for", "0.1"
    )
    yield platform
    stop_platform(platform)


def cli(platform: Platform, cwd: Path, *args: str, **env: str) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "aep_reconciler", *args],
        cwd=cwd,
        env={**platform.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    platform.outputs += [proc.stdout, proc.stderr]
    return Result(proc.returncode, proc.stdout, proc.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def leaks(text: str, tokens: set[str]) -> list[str]:
    found = [s for s in (SECRET, BAD_SECRET, *tokens) if s in text]
    return found + TOKEN_SHAPE.findall(text)


def run_every_command(platform: Platform, work: Path) -> dict[str, Result]:
    """Each command and each error family once; returns what each printed, by label."""
    bad = work / "bad"
    shutil.copytree(work / "specs", bad)
    (bad / "export-jobs" / "broken.yaml").write_text("kind: ExportJob\nmetadata: {name: x\n")
    ups = work / "ups"
    shutil.copytree(work / "specs", ups)
    (ups / "export-jobs" / "ghost.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: ExportJob\nmetadata: {name: ghost}\n"
        f"spec:\n  destination: {{datasetId: '{GHOST}'}}\n"
        "  schema: {name: _xdm.context.profile}\n"
    )
    dead = f"http://127.0.0.1:{free_port()}"
    runs = {
        "validate": cli(platform, work, "validate"),
        "plan": cli(platform, work, "plan"),
        "plan json": cli(platform, work, "plan", "--format", "json"),
        "plan markdown": cli(platform, work, "plan", "--format", "markdown"),
        "plan out": cli(platform, work, "plan", "--out", "saved.plan.json"),
        "apply": cli(platform, work, "apply", "--auto-approve", "--wait"),
        "apply stale plan": cli(platform, work, "apply", "--plan", "saved.plan.json"),
        "drift": cli(platform, work, "drift"),
        "drift json": cli(platform, work, "drift", "--format", "json"),
        "drift markdown": cli(platform, work, "drift", "--format", "markdown"),
        "bad secret": cli(platform, work, "apply", "--auto-approve", AEP_CLIENT_SECRET=BAD_SECRET),
        "dead port": cli(
            platform, work, "apply", "--auto-approve", AEP_PLATFORM_URL=dead, AEP_IMS_URL=dead
        ),
        "gateway error": cli(platform, work, "plan", AEP_ORG_ID="someone-else@AdobeOrg"),
        "manifest error": cli(platform, work, "plan", "bad"),
        "config error": cli(platform, work, "plan", AEP_CLIENT_ID=""),
        "ups error": cli(platform, work, "apply", "--auto-approve", "ups"),
        "not found": cli(
            platform, work, "import", "Dataset", "ghost", GHOST, "specs", "--auto-approve"
        ),
    }
    return runs


def test_no_command_prints_or_writes_a_secret_or_token(served: Platform, tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(SPECS, work / "specs")
    runs = run_every_command(served, work)
    expected = {
        "validate": 0, "plan": 0, "plan json": 0, "plan markdown": 0, "plan out": 0,
        "apply": 0, "apply stale plan": 1, "drift": 0, "drift json": 0, "drift markdown": 0,
        "bad secret": 1, "dead port": 1, "gateway error": 1, "manifest error": 1, "config error": 1,
        "ups error": 1, "not found": 1,
    }  # fmt: skip
    assert {k: r.code for k, r in runs.items()} == expected, {
        k: r.err[-400:] for k, r in runs.items() if r.code != expected[k]
    }
    assert "invalid_client" in runs["bad secret"].err  # the OAuth family
    assert "no answer" in runs["dead port"].err  # a transport error
    assert "403025" in runs["gateway error"].err  # the gateway family
    assert f"there is no dataset {GHOST}" in runs["not found"].err
    assert "HTTP 400" in runs["ups error"].out, runs["ups error"].out[-600:]  # the UPS family

    mine = OtherClient(served)  # a token issued now, with the same credential
    tokens = {mine.http.headers["Authorization"].split()[1]}
    mine.http.close()
    for label, result in runs.items():
        assert not leaks(result.out + result.err, tokens), label
    written = [p for p in work.rglob("*") if p.is_file() and p.suffix not in (".db", ".yaml")]
    assert work / "saved.plan.json" in written
    for path in written:
        assert not leaks(path.read_bytes().decode("utf-8", "replace"), tokens), path
    assert not leaks(stop_platform(served), tokens)


def echoing_platform(request: httpx.Request) -> httpx.Response:
    """A hostile or buggy platform that echoes the credentials it got into its errors."""
    if request.url.path.endswith("/token/v3"):
        if b"client_secret=" in request.content and b"tok" not in request.content:
            return httpx.Response(200, json={"access_token": "tok-" + "x" * 40, "expires_in": 60})
    echoed = {"got": request.content.decode(), "auth": request.headers.get("authorization", "")}
    return httpx.Response(500, json={"error_code": "500000", "message": str(echoed)})


def test_errors_logs_and_reprs_hold_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    secret = "s3cret-for-the-echo-test"
    conn = Connection("https://platform.test", "https://ims.test", "o@AdobeOrg", "cid", secret)

    async def scenario() -> ApiError:
        async with AepClient(
            conn,
            transport=httpx.MockTransport(echoing_platform),
            retry=RetryPolicy(max_attempts=2, base_delay=0.001),
        ) as client:
            assert secret not in repr(client)
            with pytest.raises(ApiError) as caught:
                await client.create_dataset({"name": secret})  # the secret even in the body
            return caught.value

    with caplog.at_level(logging.DEBUG):
        error = asyncio.run(scenario())
    token = "tok-" + "x" * 40
    for text in (str(error), repr(error), repr(error.body), repr(error.args), caplog.text):
        assert secret not in text and token not in text, text
    assert "[redacted]" in str(error)  # it was there, and was scrubbed
    assert secret not in repr(conn) and secret not in conn.describe()


def test_session_repr_and_description_hold_no_secret(tmp_path: Path) -> None:
    env = {
        "AEP_PLATFORM_URL": "https://platform.test",
        "AEP_ORG_ID": "o@AdobeOrg",
        "AEP_CLIENT_ID": "cid",
        "AEP_CLIENT_SECRET": SECRET,
    }
    work = tmp_path / "specs"
    shutil.copytree(SPECS, work)
    session = resolve(load_project(work), None, env)
    assert session.connection.client_secret == SECRET
    for text in (
        repr(session),
        session.describe(),
        repr(session.connection),
        repr(session.client()),
    ):
        assert SECRET not in text, text


# --- the embedded platform's own guards -----------------------------------------------------

ORG_A, ORG_B = "orga@AdobeOrg", "orgb@AdobeOrg"
CATALOG = "/data/foundation/catalog/dataSets"
JOBS = "/data/core/ups/export/jobs"


class Tenant:
    def __init__(self, http: httpx.AsyncClient, client_id: str, secret: str) -> None:
        self.http, self.client_id, self.secret = http, client_id, secret
        self.token = ""

    async def login(self) -> str:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "scope": "openid"}
        answer = await self.http.post("/ims/token/v3", data={**form, "client_secret": self.secret})
        self.token = str(answer.json()["access_token"])
        return self.token

    def headers(self, org: str, sandbox: str = "prod") -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": org,
            "x-sandbox-name": sandbox,
        }


def two_orgs(body: Any, **config: Any) -> Any:
    async def run() -> Any:
        creds = (
            Credential(ORG_A, "client-a", "secret-a"),
            Credential(ORG_B, "client-b", "secret-b"),
        )
        app = create_app(EmulatorConfig(credentials=creds, sandboxes=("dev",), **config))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://platform") as http:
            a, b = Tenant(http, "client-a", "secret-a"), Tenant(http, "client-b", "secret-b")
            await a.login()
            await b.login()
            return await body(http, a, b)

    return asyncio.run(run())


def test_one_orgs_token_reaches_no_other_org_or_its_sandboxes() -> None:
    async def body(http: httpx.AsyncClient, a: Tenant, b: Tenant) -> None:
        dataset = {
            "name": "b's",
            "schemaRef": {"id": "https://ns.adobe.com/xdm/context/profile__union"},
        }
        theirs = {}
        for sandbox in ("prod", "dev"):
            made = await http.post(CATALOG, json=dataset, headers=b.headers(ORG_B, sandbox))
            assert made.status_code == 201
            ds = made.json()[0].rsplit("/", 1)[1]
            job = await http.post(
                JOBS,
                json={"destination": {"datasetId": ds}, "schema": {"name": "_xdm.context.profile"}},
                headers=b.headers(ORG_B, sandbox),
            )
            assert job.status_code == 200
            theirs[sandbox] = (ds, job.json()["id"])
        for sandbox, (ds, job_id) in theirs.items():
            as_b = a.headers(ORG_B, sandbox)  # a's token, claiming org B
            for method, path in [
                ("GET", CATALOG), ("GET", f"{CATALOG}/{ds}"), ("PATCH", f"{CATALOG}/{ds}"),
                ("DELETE", f"{CATALOG}/{ds}"), ("POST", CATALOG), ("GET", JOBS),
                ("GET", f"{JOBS}/{job_id}"), ("DELETE", f"{JOBS}/{job_id}"), ("POST", JOBS),
            ]:  # fmt: skip
                answer = await http.request(method, path, json={"name": "x"}, headers=as_b)
                assert answer.status_code == 403, (method, path, answer.text)
                assert answer.json()["error_code"] == "403025"
            own = a.headers(ORG_A, sandbox)  # a's token in its own org: b's ids do not exist
            assert ds not in (await http.get(CATALOG, headers=own)).json()
            for method, path in [
                ("GET", f"{CATALOG}/{ds}"), ("PATCH", f"{CATALOG}/{ds}"),
                ("DELETE", f"{CATALOG}/{ds}"), ("GET", f"{JOBS}/{job_id}"),
                ("DELETE", f"{JOBS}/{job_id}"),
            ]:  # fmt: skip
                answer = await http.request(method, path, json={"name": "x"}, headers=own)
                assert answer.status_code == 404, (method, path, answer.text)
            records = (await http.get(JOBS, headers=own)).json()["records"]
            assert job_id not in [r["id"] for r in records]
        for sandbox, (ds, _) in theirs.items():  # untouched, as b sees it
            seen = await http.get(f"{CATALOG}/{ds}", headers=b.headers(ORG_B, sandbox))
            assert seen.json()[ds]["name"] == "b's"

    two_orgs(body)


def test_tokens_expire() -> None:
    clock = ManualClock(1_700_000_000_000)

    async def body(http: httpx.AsyncClient, a: Tenant, b: Tenant) -> None:
        assert (await http.get(CATALOG, headers=a.headers(ORG_A))).status_code == 200
        clock.advance(61)
        expired = await http.get(CATALOG, headers=a.headers(ORG_A))
        assert expired.status_code == 401 and expired.json()["error_code"] == "401013"
        await a.login()
        assert (await http.get(CATALOG, headers=a.headers(ORG_A))).status_code == 200

    two_orgs(body, token_ttl_s=60, clock=clock)


def test_oversized_bodies_are_refused() -> None:
    huge = "x" * (16 * 1024 * 1024)

    async def body(http: httpx.AsyncClient, a: Tenant, b: Tenant) -> None:
        for path, doc in [
            (CATALOG, {"name": "big", "schemaRef": {"id": "s"}, "description": huge}),
            (JOBS, {"destination": {"datasetId": GHOST}, "fields": huge}),
        ]:
            answer = await http.post(path, json=doc, headers=a.headers(ORG_A))
            assert answer.status_code == 413, (path, answer.status_code)
        form = {"grant_type": "client_credentials", "client_id": "client-a", "scope": huge}
        token = await http.post("/ims/token/v3", data={**form, "client_secret": "secret-a"})
        assert token.status_code == 413

    two_orgs(body)
