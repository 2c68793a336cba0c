"""Fixtures: the embedded platform in process on a manual clock, and clients wired to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette

from aep_reconciler.emulator import EmulatorConfig, ManualClock, create_app
from aep_reconciler.remote import AepClient, Connection, RetryPolicy
from aep_reconciler.wire import PROFILE_UNION_SCHEMA

ORG = "embedded@AdobeOrg"
CLIENT_ID = "reconciler-embedded"
EMBEDDED_SECRET = "embedded-secret"
START_MS = 1_700_000_000_000

EMBEDDED = Connection(
    platform_url="http://emulator",  # never dialled: the transport is the app itself
    ims_url="http://emulator",
    org_id=ORG,
    client_id=CLIENT_ID,
    client_secret=EMBEDDED_SECRET,
)

Hook = Callable[[httpx.Request, httpx.Response], Awaitable[None]]


class Recorder(httpx.AsyncBaseTransport):
    """The app through ASGITransport, recording requests and running a hook after each."""

    def __init__(self, app: Starlette, after: Hook | None = None) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.after = after
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self._inner.handle_async_request(request)
        if self.after is not None:
            await response.aread()
            await self.after(request, response)
        return response


@dataclass
class Emulator:
    """One embedded platform plus a clock that the clients' sleeps move forward."""

    app: Starlette
    clock: ManualClock
    slept: list[float] = field(default_factory=list)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def now(self) -> float:
        return self.clock.now_ms() / 1000

    def client(
        self,
        *,
        conn: Connection = EMBEDDED,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] | None = None,
    ) -> AepClient:
        """A client whose sleeps move the platform's clock (and which reads it, by default)."""
        return AepClient(
            conn,
            transport=transport or httpx.ASGITransport(app=self.app),
            retry=retry,
            sleep=self.sleep,
            clock=clock or self.now,
        )

    def served(self, method: str, template: str) -> int:
        """How many requests the platform received for one route."""
        count: int = self.app.state.platform.requests[(method, template)]
        return count


def make_emulator(**settings: object) -> Emulator:
    clock = ManualClock(start_ms=START_MS)
    config = EmulatorConfig(clock=clock, **settings)  # type: ignore[arg-type]
    return Emulator(create_app(config), clock)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = make_emulator()
    yield emu
    emu.app.state.platform.close()


def dataset_body(name: str, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "schemaRef": {
            "id": PROFILE_UNION_SCHEMA,
            "contentType": "application/vnd.adobe.xed+json;version=1",
        },
        "fileDescription": {"persisted": True, "format": "parquet"},
        **extra,
    }


def job_body(dataset_id: str) -> dict[str, object]:
    return {
        "fields": "identities.id,personalEmail.address",
        "filter": {"emptyProfiles": False},
        "destination": {"datasetId": dataset_id},
        "schema": {"name": "_xdm.context.profile"},
    }
