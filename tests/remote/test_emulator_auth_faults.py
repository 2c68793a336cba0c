"""Token caching and renewal, and retries under the embedded platform's injected faults."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest

from aep_reconciler.diagnostics import ApiError, TransportError
from aep_reconciler.remote import AepClient, RetryPolicy

from .conftest import Emulator, dataset_body, make_emulator
from .fakes import run, using

TOKEN = ("POST", "/ims/token/v3")
LIST = ("GET", "/data/foundation/catalog/dataSets")
CREATE = ("POST", "/data/foundation/catalog/dataSets")
PATIENT = RetryPolicy(max_attempts=20, deadline=3600)


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    emu = make_emulator(**request.param)
    yield emu
    emu.app.state.platform.close()


def _repeat(times: int) -> Callable[[AepClient], Awaitable[None]]:
    async def scenario(c: AepClient) -> None:
        for _ in range(times):
            assert await c.list_datasets() == {}

    return scenario


def test_the_token_is_fetched_once_and_cached(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        await asyncio.gather(*(c.list_datasets() for _ in range(20)))
        await c.list_datasets()

    c = emulator.client()
    run(using(c, scenario))
    assert emulator.served(*TOKEN) == 1 and c.stats.by_call["POST /ims/token/v3"] == 1
    assert emulator.served(*LIST) == 21


def test_an_expired_token_is_renewed_before_use(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        await c.list_datasets()
        emulator.clock.advance(86_400)  # past the platform's 86,399 s token lifetime
        await c.list_datasets()

    run(using(emulator.client(), scenario))  # the client reads the same clock
    assert emulator.served(*TOKEN) == 2
    assert emulator.served(*LIST) == 2  # renewed ahead of time: no 401 on the way


def test_a_token_the_platform_refuses_is_renewed_once_on_401(emulator: Emulator) -> None:
    async def scenario(c: AepClient) -> None:
        await c.list_datasets()
        emulator.clock.advance(86_400)  # the client's own clock does not move: it learns by 401
        await c.list_datasets()
        await c.list_datasets()

    c = emulator.client(clock=lambda: 0.0)
    run(using(c, scenario))
    assert emulator.served(*TOKEN) == 2  # exactly one new token request
    assert emulator.served(*LIST) == 4  # the refused call was repeated once
    assert c.stats.by_call == {"POST /ims/token/v3": 2, "GET /dataSets": 4}


@pytest.mark.parametrize("faulty", [{"rate_limit": 5}], indirect=True)
def test_rate_limited_calls_wait_the_hint_and_succeed(faulty: Emulator) -> None:
    c = faulty.client()
    run(using(c, _repeat(20)))
    # 5 calls per one-second window: calls 6, 11 and 16 are told to wait for the next window
    assert faulty.slept == [1.0, 1.0, 1.0]
    assert c.stats.retries == 3
    assert faulty.served(*LIST) == 23


@pytest.mark.parametrize("faulty", [{"fail_rate": 0.3, "seed": 11}], indirect=True)
def test_gets_ride_out_server_errors(faulty: Emulator) -> None:
    c = faulty.client(retry=PATIENT)
    run(using(c, _repeat(30)))
    served = faulty.served(*LIST)
    assert served > 30  # the platform did fail some
    assert c.stats.retries == served - 30 == len(faulty.slept)
    assert c.stats.requests == sum(faulty.app.state.platform.requests.values())


@pytest.mark.parametrize("faulty", [{"fail_rate": 0.3, "seed": 11}], indirect=True)
def test_creates_are_never_retried_blindly(faulty: Emulator) -> None:
    async def scenario(c: AepClient) -> tuple[int, int]:
        made = failed = 0
        for i in range(30):
            try:
                await c.create_dataset(dataset_body(f"d{i}"))
                made += 1
            except ApiError as exc:
                assert exc.status in (500, 502, 503)
                failed += 1
        assert len(await c.list_datasets()) == made  # a failed create left nothing behind
        return made, failed

    c = faulty.client(retry=PATIENT)
    made, failed = run(using(c, scenario))
    assert failed > 0 and made + failed == 30
    assert faulty.served(*CREATE) == 30  # one attempt per create
    assert c.stats.by_call["POST /dataSets"] == 30


@pytest.mark.parametrize("faulty", [{"ambiguous_rate": 1.0, "seed": 2}], indirect=True)
def test_an_ambiguous_create_fails_once_and_is_not_repeated(faulty: Emulator) -> None:
    errors: list[ApiError] = []

    async def scenario(c: AepClient) -> int:
        for i in range(8):
            try:
                await c.create_dataset(dataset_body(f"d{i}"))
            except ApiError as exc:
                errors.append(exc)
        return len(await c.list_datasets())

    c = faulty.client()
    assert run(using(c, scenario)) == 8  # each committed exactly once
    assert len(errors) == 8 and faulty.served(*CREATE) == 8
    dropped = [e for e in errors if isinstance(e, TransportError)]
    assert dropped and all(e.status == 0 and "dropped" in str(e) for e in dropped)
    assert {e.status for e in errors if e not in dropped} <= {502, 504}
