"""Endpoints belong to the workflow: a pull request's reconciler.yaml cannot send the secret
to a host of its choosing, plain http never goes through a proxy, the environment wins."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import SECRET, SPECS, Platform, reconciler, run_cli

pytestmark = pytest.mark.e2e

FOREIGN_NAME = "ims.attacker.invalid"


class Recorder:
    """A TCP listener keeping every byte that arrives: a catcher, or (``proxy``) a proxy
    that records the request and refuses it."""

    def __init__(self, host: str, *, proxy: bool = False) -> None:
        self.sock = socket.create_server((host, 0))
        self.port = self.sock.getsockname()[1]
        self.proxy = proxy
        self.received = b""
        self.connections = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(3)
            with self._lock:
                self.connections += 1
            try:
                while chunk := conn.recv(65536):
                    with self._lock:
                        self.received += chunk
                    if self.proxy and b"\r\n\r\n" in self.received:
                        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                        return
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def catcher() -> Iterator[Recorder]:
    # 0.0.0.0 is not loopback, yet a connection to it lands on this machine
    recorder = Recorder("0.0.0.0")
    yield recorder
    recorder.close()


@pytest.fixture
def proxy() -> Iterator[Recorder]:
    recorder = Recorder("127.0.0.1", proxy=True)
    yield recorder
    recorder.close()


def _pull_request_tree(tmp: Path, ims_url: str) -> Path:
    """A checkout of specs/ as a pull request changed it: prod-example's IMS is ``ims_url``."""
    work = tmp / f"checkout-{len(list(tmp.glob('checkout-*')))}"
    shutil.copytree(SPECS, work / "specs")
    config = work / "specs" / "reconciler.yaml"
    text = config.read_text()
    config.write_text(text.replace("imsUrl: https://ims-na1.adobelogin.com", f"imsUrl: {ims_url}"))
    return work


def _ci_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "RECONCILER_"))}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        env.pop(name, None)
        env.pop(name.lower(), None)
    env.update(CI="true", AEP_CLIENT_ID="pr-client", AEP_CLIENT_SECRET=SECRET, **extra)
    return env


TARGET = ("--target", "prod-example")
COMMANDS = (
    ("validate", *TARGET),
    ("plan", *TARGET),
    ("drift", *TARGET),
    ("apply", *TARGET, "--auto-approve", "--confirm-target", "prod-example"),
)


def test_a_foreign_ims_host_in_the_file_gets_not_one_byte(
    tmp_path: Path, catcher: Recorder, proxy: Recorder
) -> None:
    direct = _pull_request_tree(tmp_path, f"https://0.0.0.0:{catcher.port}")
    for args in COMMANDS:
        result = reconciler(direct, _ci_env(), *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "reconciler.yaml:" in result.stderr and "imsUrl" in result.stderr, result.stderr
        assert "0.0.0.0 is not Adobe's" in result.stderr and "Traceback" not in result.stderr
    assert (catcher.connections, catcher.received) == (0, b"")

    via_proxy = _pull_request_tree(tmp_path, f"https://{FOREIGN_NAME}")
    proxied = _ci_env(HTTPS_PROXY=f"http://127.0.0.1:{proxy.port}")
    proxied.update(HTTP_PROXY=proxied["HTTPS_PROXY"], ALL_PROXY=proxied["HTTPS_PROXY"])
    for args in COMMANDS[1::2]:  # plan and apply: one reads, one writes
        result = reconciler(via_proxy, proxied, *args)
        assert result.returncode == 1 and FOREIGN_NAME in result.stderr, result.stderr
    assert (proxy.connections, proxy.received) == (0, b"")


def test_the_recorders_do_see_what_an_allowed_host_gets(
    tmp_path: Path, catcher: Recorder, proxy: Recorder
) -> None:
    """The control: once the environment allows the hosts, connections arrive, so the test
    above would have seen them; TLS keeps the secret out of what the recorders get."""
    direct = _pull_request_tree(tmp_path, f"https://0.0.0.0:{catcher.port}")
    allowed = _ci_env(RECONCILER_ALLOWED_HOSTS="0.0.0.0")
    result = reconciler(direct, allowed, "plan", *TARGET)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert catcher.connections >= 1 and catcher.received  # a TLS ClientHello, nothing more
    assert SECRET.encode() not in catcher.received

    via_proxy = _pull_request_tree(tmp_path, f"https://{FOREIGN_NAME}")
    env = _ci_env(
        RECONCILER_ALLOWED_HOSTS=FOREIGN_NAME, HTTPS_PROXY=f"http://127.0.0.1:{proxy.port}"
    )
    result = reconciler(via_proxy, env, "plan", *TARGET)
    assert result.returncode == 1, result.stderr
    assert f"CONNECT {FOREIGN_NAME}:443".encode() in proxy.received
    assert SECRET.encode() not in proxy.received


def test_plain_http_to_loopback_never_goes_through_a_proxy(
    platform: Platform, workdir: Path, proxy: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")  # platform.env copies it
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert run_cli(platform, workdir, ["plan"]).code == 0
    assert run_cli(platform, workdir, ["apply", "--auto-approve"]).code == 0
    assert (proxy.connections, proxy.received) == (0, b"")


def test_the_environment_wins_over_the_file(platform: Platform, workdir: Path) -> None:
    """A file naming a foreign IMS is harmless when the workflow sets the endpoints."""
    config = workdir / "specs" / "reconciler.yaml"
    config.write_text(
        config.read_text().replace(
            "  local:\n    platform: embedded\n",
            f"  local:\n    platformUrl: https://platform.adobe.io\n"
            f"    imsUrl: https://{FOREIGN_NAME}\n",
        )
    )
    result = run_cli(platform, workdir, ["plan"])
    assert result.code == 0, result.err
    assert f"target local: {platform.url}" in result.err
