"""A scripted platform for MockTransport tests: exact answers the emulator cannot give."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from aep_reconciler.remote import AepClient, Connection, RetryPolicy

SECRET = "s3cr3t-client-value"
T = TypeVar("T")

CONN = Connection(
    platform_url="https://platform.example.test",
    ims_url="https://ims.example.test",
    org_id="ORG@AdobeOrg",
    client_id="client-id",
    client_secret=SECRET,
    sandbox="dev",
)

Handler = Callable[[httpx.Request], httpx.Response]
AsyncHandler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def token_answer(token: str, expires_in: float = 86399) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    )


@dataclass
class Script:
    """Answers API calls from ``api`` in order; hands out tok-1, tok-2... at the token path."""

    api: list[httpx.Response | Exception | Handler] = field(default_factory=list)
    seen: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0
    expires_in: float = 86399

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == "/ims/token/v3":
            self.tokens_issued += 1
            return token_answer(f"tok-{self.tokens_issued}", self.expires_in)
        step = self.api.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.seen if r.url.path != "/ims/token/v3"]


class Sleeps:
    """An injected sleep that records delays and advances a fake clock instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.now = 0.0

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.now += delay

    def clock(self) -> float:
        return self.now


def client(
    script: Script | Handler | AsyncHandler,
    *,
    retry: RetryPolicy | None = None,
    sleeps: Sleeps | None = None,
    rand: Callable[[], float] = lambda: 0.5,
) -> AepClient:
    sleeps = sleeps or Sleeps()
    return AepClient(
        CONN,
        transport=httpx.MockTransport(script),
        retry=retry,
        sleep=sleeps,
        clock=sleeps.clock,
        rand=rand,
    )


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def using(c: AepClient, fn: Callable[[AepClient], Awaitable[T]]) -> T:
    """Run ``fn(c)`` and close the client, as every caller of AepClient should."""
    async with c:
        return await fn(c)
