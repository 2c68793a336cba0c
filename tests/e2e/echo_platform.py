"""The embedded platform behind a layer that echoes the credentials back in every spelling.

It remembers the client secret from the IMS form and the token from each Authorization
header, and, depending on ``mode``, writes them back: into the description of every listed
dataset (a success answer), into a 400 on the job list or a 403 on the Data Access preview
(error answers), or into the IMS error itself. Served on a loopback port from a thread, so
the CLI runs as a subprocess.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from aep_reconciler.emulator import Credential, EmulatorConfig, create_app
from tests.echoes import echoes

Scope = dict[str, Any]


class EchoingPlatform:
    """ASGI middleware; ``mode`` is "off", "describe", "error", "preview-error" or "ims-error"."""

    def __init__(self, config: EmulatorConfig, client_id: str) -> None:
        self.app = create_app(config)
        self.client_id = client_id
        self.mode = "off"
        self.secret = ""
        self.token = ""
        self.echoed = 0  # answers that carried an echo

    def spelled(self) -> str:
        values = [
            v for s in (self.secret, self.token) if s for v in echoes(s, self.client_id).values()
        ]
        return " | ".join(values)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if path.endswith("/ims/token/v3"):
            self.secret = parse_qs(body.decode()).get("client_secret", [""])[0]
            if self.mode == "ims-error":
                await self._answer(
                    send, 401, {"error": "invalid_client", "error_description": self.spelled()}
                )
                return
        elif headers.get("authorization", "").startswith("Bearer "):
            self.token = headers["authorization"].split(" ", 1)[1]
        if self.mode == "preview-error" and path.endswith("/preview"):
            detail = f"no preview for {self.spelled()}"
            await self._answer(send, 403, {"title": "Forbidden", "status": 403, "detail": detail})
            return
        if self.mode == "error" and path.endswith("/export/jobs") and scope["method"] == "GET":
            errors = {"400": [{"code": "X", "message": f"bad header {self.spelled()}"}]}
            await self._answer(send, 400, {"requestId": "r", "errors": errors, "status": 400})
            return
        rewrite = (
            self.mode == "describe" and path.endswith("/dataSets") and scope["method"] == "GET"
        )
        await self._forward(scope, body, send, rewrite)

    async def _forward(self, scope: Scope, body: bytes, send: Any, rewrite: bool) -> None:
        sent = False
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: MutableMapping[str, Any]) -> None:
            if not rewrite:
                await send(message)
            elif message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if rewrite:
            data = json.loads(b"".join(chunks))
            for dataset in data.values():
                dataset["description"] = f"edited by {self.spelled()}"
            self.echoed += 1
            await self._answer(send, start["status"], data)

    async def _answer(self, send: Any, status: int, body: Any) -> None:
        if status >= 400:
            self.echoed += 1
        raw = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(raw)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": raw})


@contextmanager
def serve_echoing(
    org: str, client_id: str, secret: str, db: str, **options: Any
) -> Iterator[tuple[EchoingPlatform, str]]:
    """The echoing platform on a free loopback port (``options``: more EmulatorConfig
    fields); yields it and its URL."""
    credentials = (Credential(org, client_id, secret),)
    config = EmulatorConfig(db_path=db, credentials=credentials, **options)
    platform = EchoingPlatform(config, client_id)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(platform, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the echoing platform did not start")
        threading.Event().wait(0.01)
    try:
        yield platform, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
