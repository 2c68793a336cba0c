"""A platform that echoes the secret and the token back, in every spelling, in success
answers and in errors: no command prints or writes any of them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SPECS, reconciler
from tests.e2e.echo_platform import EchoingPlatform, serve_echoing
from tests.echoes import leaked

pytestmark = pytest.mark.e2e

ORG = "echo@AdobeOrg"
CLIENT = "echo-client"
SECRET = "p8e-Echo/Me+If_You-Can0123456789ab"


@pytest.fixture
def echoing(tmp_path: Path) -> Iterator[tuple[EchoingPlatform, dict[str, str]]]:
    db = str(tmp_path / "echo.db")
    fast = {"job_start_after": 0.1, "job_run_for": 0.1}  # so that apply --wait is quick
    with serve_echoing(ORG, CLIENT, SECRET, db, **fast) as (platform, url):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AEP_")}
        env.update(
            AEP_PLATFORM_URL=url,
            AEP_IMS_URL=url,
            AEP_ORG_ID=ORG,
            AEP_CLIENT_ID=CLIENT,
            AEP_CLIENT_SECRET=SECRET,
            NO_COLOR="1",
        )
        yield platform, env


def _run(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    proc = reconciler(cwd, env, *args)
    return proc.returncode, proc.stdout + proc.stderr


def _no_leak(text: str, platform: EchoingPlatform) -> None:
    assert platform.token, "the platform never saw a token"
    assert not leaked(text, SECRET, CLIENT), text[-2000:]
    assert not leaked(text, platform.token, CLIENT), text[-2000:]


def test_echoed_credentials_never_reach_output_or_files(
    echoing: tuple[EchoingPlatform, dict[str, str]], tmp_path: Path
) -> None:
    platform, env = echoing
    shutil.copytree(SPECS, tmp_path / "specs")
    assert _run(env, tmp_path, "apply", "--auto-approve")[0] == 0

    platform.mode = "describe"  # every listed dataset's description now holds the echoes
    for args in (
        ("plan", "--out", "saved.plan"),
        ("plan", "--format", "json"),
        ("drift", "--format", "markdown"),
    ):
        code, out = _run(env, tmp_path, *args)
        assert code in (0, 2), out
        assert "[redacted]" in out  # the echo arrived, and was scrubbed on the way out
        _no_leak(out, platform)
    _no_leak((tmp_path / "saved.plan").read_text(), platform)

    platform.mode = "error"  # the job list answers 400 with the echoes in its message
    code, out = _run(env, tmp_path, "plan")
    assert code == 1 and "HTTP 400" in out and "[redacted]" in out
    _no_leak(out, platform)

    platform.mode = "ims-error"  # IMS refuses, echoing the form it got
    code, out = _run(env, tmp_path, "drift")
    assert code == 1 and "invalid_client" in out and "[redacted]" in out
    assert not leaked(out, SECRET, CLIENT), out
    assert platform.echoed >= 5


def test_a_failed_preview_names_the_call_and_scrubs_the_body(
    echoing: tuple[EchoingPlatform, dict[str, str]], tmp_path: Path
) -> None:
    platform, env = echoing
    shutil.copytree(SPECS, tmp_path / "specs")
    only = ("--only", "ExportJob/vip-emails")
    assert _run(env, tmp_path, "apply", "--auto-approve", "--wait", *only)[0] == 0

    platform.mode = "preview-error"  # the preview answers 403, echoing the credentials
    code, out = _run(env, tmp_path, "output", "ExportJob/vip-emails", "--preview")
    assert code == 1 and "Traceback" not in out, out
    assert re.search(
        r"ExportJob/vip-emails: GET /data/foundation/export/datasets/\w+/preview failed: "
        r"HTTP 403: .*no preview for",
        out,
    ), out
    assert "[redacted]" in out
    _no_leak(out, platform)
