"""The Starlette app: routes onto the handlers, middleware, and request counting."""

from __future__ import annotations

import json
from email.utils import formatdate
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from aep_reconciler.emulator import catalog, control, exports, ims, profile_config
from aep_reconciler.emulator.clock import ManualClock
from aep_reconciler.emulator.config import EmulatorConfig
from aep_reconciler.emulator.database import DatabaseLocked
from aep_reconciler.emulator.faults import ASGIApp, FaultInjector, Message, Receive, Scope, Send
from aep_reconciler.emulator.limits import BodyLimit
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.profiles import routes as profile_routes
from aep_reconciler.emulator.responses import HttpError, gateway_error, json_response
from aep_reconciler.wire import CATALOG_BASE, EXPORT_BASE, IMS_TOKEN_PATH, UPS_BASE


async def health(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    return json_response({"status": "ok", "nowMs": platform.now_ms()})


async def advance_clock(request: Request) -> Response:
    """Test hook: move a ManualClock forward; refused for the system clock."""
    platform: Platform = request.app.state.platform
    if not isinstance(platform.clock, ManualClock):
        raise gateway_error("409000", "The clock is the system clock; start with a manual clock")
    try:
        seconds = float(json.loads(await request.body())["advanceSeconds"])
        now = platform.clock.advance(seconds)
    except (ValueError, KeyError, TypeError):
        raise gateway_error(
            "400000", 'Expected {"advanceSeconds": <non-negative number>}'
        ) from None
    return json_response({"nowMs": now})


ROUTES = [
    Route(IMS_TOKEN_PATH, ims.issue_token, methods=["POST"]),
    Route(f"{CATALOG_BASE}/dataSets", catalog.create_dataset, methods=["POST"]),
    Route(f"{CATALOG_BASE}/dataSets", catalog.list_datasets, methods=["GET"]),
    Route(f"{CATALOG_BASE}/dataSets/{{id}}", catalog.get_dataset, methods=["GET"]),
    Route(f"{CATALOG_BASE}/dataSets/{{id}}", catalog.patch_dataset, methods=["PATCH"]),
    Route(f"{CATALOG_BASE}/dataSets/{{id}}", catalog.put_dataset, methods=["PUT"]),
    Route(f"{CATALOG_BASE}/dataSets/{{id}}", catalog.delete_dataset, methods=["DELETE"]),
    Route(f"{UPS_BASE}/export/jobs", exports.create_job, methods=["POST"]),
    Route(f"{UPS_BASE}/export/jobs", exports.list_jobs, methods=["GET"]),
    Route(f"{UPS_BASE}/export/jobs/", exports.create_job, methods=["POST"]),
    Route(f"{UPS_BASE}/export/jobs/", exports.list_jobs, methods=["GET"]),
    Route(f"{UPS_BASE}/export/jobs/{{id}}", exports.get_job, methods=["GET"]),
    Route(f"{UPS_BASE}/export/jobs/{{id}}", exports.delete_job, methods=["DELETE"]),
    Route(f"{UPS_BASE}/segment/definitions", profile_routes.list_definitions, methods=["GET"]),
    Route(f"{UPS_BASE}/segment/definitions/{{id}}", profile_routes.get_definition, methods=["GET"]),
    Route(f"{CATALOG_BASE}/batches", profile_routes.list_batches, methods=["GET"]),
    Route(f"{CATALOG_BASE}/batches/{{id}}", profile_routes.get_batch, methods=["GET"]),
    Route(f"{EXPORT_BASE}/batches/{{id}}/files", profile_routes.batch_files, methods=["GET"]),
    Route(f"{EXPORT_BASE}/files/{{id}}", profile_routes.file_or_listing, methods=["GET"]),
    Route(f"{EXPORT_BASE}/datasets/{{id}}/preview", profile_routes.preview, methods=["GET"]),
    Route(f"{UPS_BASE}/config/mergePolicies", profile_config.list_merge_policies, methods=["GET"]),
    Route(
        f"{UPS_BASE}/config/mergePolicies/{{id}}", profile_config.get_merge_policy, methods=["GET"]
    ),
    Route("/_emulator/health", health, methods=["GET"]),
    Route("/_emulator/clock", advance_clock, methods=["POST"]),
    Route("/_emulator/reset", control.reset, methods=["POST"]),
    Route("/_emulator/state", control.state, methods=["GET"]),
]


class RequestCounter:
    """Outermost middleware: counts every request by (method, route template)."""

    def __init__(self, app: ASGIApp, platform: Platform) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.platform.requests[(scope["method"], _template(scope))] += 1
        await self.app(scope, receive, send)


class PlatformDate:
    """Every answer's ``Date`` is the platform clock's (a ManualClock too), as Adobe's gateway
    stamps its answers: clients judge the age of jobs by it, not by their own clock."""

    def __init__(self, app: ASGIApp, platform: Platform) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                stamp = formatdate(self.platform.now_ms() / 1000, usegmt=True).encode()
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", stamp)]}
            await send(message)

        await self.app(scope, receive, dated)


def _template(scope: Scope) -> str:
    for route in ROUTES:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route.path.rstrip("/") or "/"
    return str(scope.get("path", ""))


async def _locked(request: Request, exc: Exception) -> Response:
    """Another process holds the SQLite file: a 503 the client waits on and then reports."""
    response = gateway_error("503000", str(exc)).response
    response.headers["Retry-After"] = "1"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return exc.response


async def _starlette_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "Not Found", 405: "Method Not Allowed"}
    message = messages.get(exc.status_code, str(exc.detail))
    return json_response(
        {"error_code": f"{exc.status_code}000", "message": message}, exc.status_code
    )


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """Build the embedded platform; ``app.state.platform`` exposes clock, stores and counters."""
    config = config or EmulatorConfig()
    platform = Platform(config)
    handlers: dict[Any, Any] = {
        HttpError: _http_error,
        HTTPException: _starlette_error,
        DatabaseLocked: _locked,
    }
    app = Starlette(routes=ROUTES, exception_handlers=handlers)
    app.state.platform = platform
    app.add_middleware(BodyLimit, limit=config.max_body_bytes)
    app.add_middleware(FaultInjector, config=config, client_of=platform.client_of)
    app.add_middleware(RequestCounter, platform=platform)
    app.add_middleware(PlatformDate, platform=platform)
    return app
