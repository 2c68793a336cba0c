"""Fault injection (B.8) as ASGI middleware: latency, rate limit, 5xx, ambiguous creates."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from aep_reconciler.emulator.clock import Clock
from aep_reconciler.emulator.config import EmulatorConfig
from aep_reconciler.emulator.responses import json_response, problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CREATE_PATHS = ("/data/foundation/catalog/dataSets", "/data/core/ups/export/jobs")


class ConnectionDropped(ConnectionResetError):
    """Raised after a committed create so the server closes the connection mid-answer."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


class RateLimiter:
    """A fixed one-second window per org, read from the platform clock."""

    def __init__(self, per_second: float, clock: Clock) -> None:
        self._limit = per_second
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}

    def wait_ms(self, org: str) -> int:
        """0 when the call may proceed, else how long until the next window opens."""
        now = self._clock.now_ms()
        window = now // 1000
        current, count = self._windows.get(org, (window, 0))
        if current != window:
            count = 0
        count += 1
        self._windows[org] = (window, count)
        if count <= self._limit:
            return 0
        return (window + 1) * 1000 - now


def too_many_requests(wait_ms: int) -> Any:
    body = {"message": "Too many requests", "retryAfterMs": str(wait_ms), "statusCode": "429"}
    retry_after = str(max(1, math.ceil(wait_ms / 1000)))
    return json_response(body, 429, headers={"Retry-After": retry_after})


def server_error(status: int) -> Any:
    if status == 500:
        return problem(500, "The server encountered an internal error").response
    message = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[status]
    headers = {"Retry-After": "1"} if status == 503 else None
    return json_response({"error_code": f"{status}000", "message": message}, status, headers)


class FaultInjector:
    """Wraps the app; does nothing unless the config turns a fault on."""

    def __init__(
        self, app: ASGIApp, config: EmulatorConfig, client_of: Callable[[str], str] | None = None
    ) -> None:
        self.app = app
        self.config = config
        # Who a bearer token belongs to: the rate limit counts per authenticated client, so
        # neither a forged org header nor a made-up one escapes or exhausts another's window.
        self.client_of = client_of or (lambda authorization: "anonymous")
        self.rng = random.Random(config.seed)
        self.limiter = (
            RateLimiter(config.rate_limit, config.clock) if config.rate_limit is not None else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_emulator/"):
            await self.app(scope, receive, send)
            return
        if self.config.latency_ms:
            await asyncio.sleep(self.config.latency_ms / 1000)
        if path.startswith("/ims/"):
            await self.app(scope, receive, send)
            return
        early = self._early_answer(scope)
        if early is not None:
            await early(scope, receive, send)
            return
        if self.config.ambiguous_rate and self._is_create(scope):
            if self.rng.random() < self.config.ambiguous_rate:
                mode = self.rng.choice(("502", "504", "drop"))
                await self._ambiguous(mode, scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _early_answer(self, scope: Scope) -> Any:
        if self.limiter is not None:
            wait = self.limiter.wait_ms(self.client_of(_header(scope, b"authorization")))
            if wait:
                return too_many_requests(wait)
        if self.config.fail_rate and self.rng.random() < self.config.fail_rate:
            return server_error(self.rng.choice((500, 502, 503)))
        return None

    @staticmethod
    def _is_create(scope: Scope) -> bool:
        return scope.get("method") == "POST" and scope.get("path", "").rstrip("/") in CREATE_PATHS

    async def _ambiguous(self, mode: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the create (it commits), then lose the answer if it succeeded."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        start = messages[0] if messages else {"status": 500}
        if start.get("status", 500) >= 300:
            for message in messages:
                await send(message)
            return
        if mode == "drop":
            await send(start)
            raise ConnectionDropped("the embedded platform dropped the connection (ambiguous_rate)")
        await server_error(int(mode))(scope, receive, send)
