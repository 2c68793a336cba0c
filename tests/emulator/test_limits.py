"""Oversized request bodies are refused with 413, whether declared or streamed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from aep_reconciler.emulator import EmulatorConfig, create_app


def _post(content: bytes | AsyncIterator[bytes], headers: dict[str, str]) -> httpx.Response:
    async def scenario() -> httpx.Response:
        app = create_app(EmulatorConfig(db_path=":memory:", max_body_bytes=1000))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emu") as http:
            return await http.post("/ims/token/v3", content=content, headers=headers)

    return asyncio.run(scenario())


def test_a_declared_oversized_body_is_refused_before_it_is_read() -> None:
    answer = _post(b"x" * 1001, {"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert answer.json()["title"] == "PayloadTooLargeError"


def test_a_streamed_oversized_body_is_refused() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 400

    answer = _post(chunks(), {"content-type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert "1000 bytes" in json.loads(answer.content)["detail"]


def test_a_body_within_the_limit_is_served() -> None:
    answer = _post(
        b"grant_type=client_credentials", {"content-type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code in (400, 401)  # an OAuth answer: the body reached the endpoint
