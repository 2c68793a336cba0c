"""Fixtures: the embedded platform in process on a manual clock, and a small API helper."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from aep_reconciler.emulator import EmulatorConfig, ManualClock, Variants, create_app
from tests.emulator.emu_support import Api


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_ms=1_700_000_000_000)


@pytest.fixture
def variants() -> Variants:
    """The platform's variants: Adobe's defaults. A test whose subject is one variant
    overrides them with parametrize("variants", [...]) and says why."""
    return Variants()


@pytest.fixture
def config(clock: ManualClock, variants: Variants) -> EmulatorConfig:
    return EmulatorConfig(clock=clock, variants=variants, sandboxes=("dev",))


@pytest.fixture
def app(config: EmulatorConfig) -> Starlette:
    return create_app(config)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://aep.test") as c:
        yield c


@pytest.fixture
async def api(client: httpx.AsyncClient) -> Api:
    helper = Api(client)
    await helper.login()
    return helper
