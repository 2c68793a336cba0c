"""Retries, token handling and errors under synthetic answers (httpx.MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from aep_reconciler.diagnostics import ApiError, TransportError
from aep_reconciler.remote import AepClient, RetryPolicy

from .fakes import CONN, SECRET, Script, Sleeps, client, run, using

OK_LIST = httpx.Response(200, json={})


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "2"}, {"message": "Too many requests"}, 2.0),
        ({}, {"message": "Too many requests", "retryAfterMs": "500", "statusCode": "429"}, 0.5),
        ({"Retry-After": "1"}, {"retryAfterMs": "1500"}, 1.5),
    ],
)
def test_429_waits_exactly_the_hint(headers: dict[str, str], body: object, expected: float) -> None:
    sleeps = Sleeps()
    script = Script(api=[httpx.Response(429, headers=headers, json=body), OK_LIST])
    c = client(script, sleeps=sleeps)
    assert run(using(c, lambda c: c.list_datasets())) == {}
    assert sleeps.delays == [expected]
    assert c.stats.retries == 1 and c.stats.requests == 3


def test_5xx_backs_off_exponentially_with_jitter() -> None:
    sleeps = Sleeps()
    failures = [httpx.Response(s, text="oops") for s in (500, 502, 503, 504)]
    script = Script(api=[*failures, OK_LIST])
    c = client(script, sleeps=sleeps, retry=RetryPolicy(base_delay=0.2, max_delay=0.5))
    run(using(c, lambda c: c.list_datasets()))
    assert sleeps.delays == [0.1, 0.2, 0.25, 0.25]  # rand() = 0.5 of 0.2, 0.4, 0.5, 0.5
    assert c.stats.retries == 4


def test_connect_errors_and_timeouts_are_retried_for_get_and_delete() -> None:
    sleeps = Sleeps()
    script = Script(
        api=[
            httpx.ConnectError("refused"),
            OK_LIST,
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=["@/dataSets/abc"]),
        ]
    )

    async def calls(c: AepClient) -> None:
        await c.list_datasets()
        await c.delete_dataset("abc")

    c = client(script, sleeps=sleeps)
    run(using(c, calls))
    assert len(sleeps.delays) == 2 and c.stats.retries == 2


@pytest.mark.parametrize("failure", [httpx.Response(503, text="busy"), httpx.ConnectError("x")])
def test_post_is_never_retried_blindly(failure: httpx.Response | Exception) -> None:
    sleeps = Sleeps()
    script = Script(api=[failure, httpx.Response(200, json={"id": 1})])
    c = client(script, sleeps=sleeps)
    with pytest.raises(ApiError) as info:
        run(using(c, lambda c: c.create_export_job({"destination": {"datasetId": "d"}})))
    assert len(script.api_requests()) == 1 and sleeps.delays == []
    if isinstance(failure, Exception):
        assert isinstance(info.value, TransportError) and info.value.status == 0
        assert "ConnectError" in str(info.value)
    else:
        assert info.value.status == 503


def test_patch_sets_fields_so_it_is_retried_after_a_server_error() -> None:
    ok = httpx.Response(200, json=["@/dataSets/abc"])
    script = Script(api=[httpx.Response(500), ok])
    run(using(client(script), lambda c: c.patch_dataset("abc", {"name": "n"})))
    assert len(script.api_requests()) == 2


def test_a_rate_limited_post_is_repeated_because_it_was_never_processed() -> None:
    limited = httpx.Response(429, json={"message": "Too many requests", "retryAfterMs": "10"})
    script = Script(api=[limited, httpx.Response(201, json=["@/dataSets/abc"])])
    assert run(using(client(script), lambda c: c.create_dataset({"name": "n"}))) == "abc"
    assert len(script.api_requests()) == 2


def test_final_statuses_are_not_retried() -> None:
    notfound = {"type": "/placeholder/type/uri", "status": 404, "title": "NotFoundError",
                "detail": "DataSet not found."}  # fmt: skip
    script = Script(api=[httpx.Response(404, json=notfound)])
    with pytest.raises(ApiError) as info:
        run(using(client(script), lambda c: c.get_dataset("nope")))
    assert info.value.status == 404 and info.value.body == notfound
    assert info.value.call == "GET /data/foundation/catalog/dataSets/nope"
    assert info.value.aep_message == "DataSet not found."
    assert len(script.api_requests()) == 1


def test_attempts_are_capped() -> None:
    script = Script(api=[httpx.Response(503)] * 3)
    c = client(script, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ApiError) as info:
        run(using(c, lambda c: c.list_datasets()))
    assert info.value.status == 503 and len(script.api_requests()) == 3


def test_a_hint_past_the_deadline_fails_now() -> None:
    sleeps = Sleeps()
    script = Script(api=[httpx.Response(429, headers={"Retry-After": "30"})])
    c = client(script, sleeps=sleeps, retry=RetryPolicy(deadline=10))
    with pytest.raises(ApiError) as info:
        run(using(c, lambda c: c.list_datasets()))
    assert info.value.status == 429 and sleeps.delays == []


def test_401_renews_the_token_once_and_repeats_theusing() -> None:
    expired = {"error_code": "401013", "message": "Oauth token is not valid"}
    script = Script(api=[OK_LIST, httpx.Response(401, json=expired), OK_LIST])

    async def calls(c: AepClient) -> None:
        await c.list_datasets()
        await c.list_datasets()

    c = client(script)
    run(using(c, calls))
    assert script.tokens_issued == 2
    auths = [r.headers["authorization"] for r in script.api_requests()]
    assert auths == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert c.stats.by_call["POST /ims/token/v3"] == 2


def test_a_second_401_is_an_error() -> None:
    expired = httpx.Response(401, json={"error_code": "401013", "message": "not valid"})
    script = Script(api=[expired, expired])
    with pytest.raises(ApiError) as info:
        run(using(client(script), lambda c: c.list_datasets()))
    assert info.value.status == 401 and len(script.api_requests()) == 2


def test_one_token_request_for_twenty_concurrent_calls() -> None:
    script = Script(api=[httpx.Response(200, json={}) for _ in range(20)])

    async def calls(c: AepClient) -> None:
        await asyncio.gather(*(c.list_datasets() for _ in range(20)))

    async def slow_ims(request: httpx.Request) -> httpx.Response:
        for _ in range(5):
            await asyncio.sleep(0)  # let every other call reach the token cache meanwhile
        return script(request)

    c = client(slow_ims)
    run(using(c, calls))
    assert script.tokens_issued == 1
    assert c.stats.by_call == {"POST /ims/token/v3": 1, "GET /dataSets": 20}


def test_the_token_is_renewed_before_it_expires() -> None:
    sleeps = Sleeps()
    script = Script(api=[OK_LIST, OK_LIST, OK_LIST], expires_in=3600)

    async def calls(c: AepClient) -> None:
        await c.list_datasets()
        sleeps.now = 3299  # more than 5 minutes left
        await c.list_datasets()
        sleeps.now = 3301  # less than 5 minutes left
        await c.list_datasets()

    run(using(client(script, sleeps=sleeps), calls))
    auths = [r.headers["authorization"] for r in script.api_requests()]
    assert auths == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_ims_errors_name_the_token_call_without_the_secret() -> None:
    body = {"error": "invalid_client", "error_description": f"bad secret {SECRET}"}

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/ims/token/v3"
        return httpx.Response(401, json=body)

    with pytest.raises(ApiError) as info:
        run(using(client(handler), lambda c: c.list_datasets()))
    error = info.value
    assert error.call == "POST /ims/token/v3" and error.status == 401
    assert "invalid_client" in error.aep_message
    for text in (str(error), repr(error), error.aep_message):
        assert SECRET not in text


def test_an_unreadable_token_answer_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"token_type": "bearer"})

    with pytest.raises(TransportError, match="no access_token"):
        run(using(client(handler), lambda c: c.list_datasets()))


def test_tokens_and_secrets_never_reach_errors_or_reprs() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ims/token/v3":
            return httpx.Response(200, json={"access_token": "TOKEN-XYZ", "expires_in": 100})
        echo = {"message": f"{request.headers['authorization']} and {SECRET}", "error_code": "x"}
        return httpx.Response(400, json=echo)

    c = client(handler)
    with pytest.raises(ApiError) as info:
        run(using(c, lambda c: c.list_datasets()))
    for text in (str(info.value), repr(info.value), info.value.aep_message, repr(c), repr(CONN)):
        assert "TOKEN-XYZ" not in text and SECRET not in text


def test_rate_limits_spend_the_deadline_not_the_attempts() -> None:
    """A platform that says "come back in 10 ms" six times and then fails once more is busy,
    not broken: the call still has its attempts for real failures."""
    limited = httpx.Response(429, json={"message": "Too many requests", "retryAfterMs": "10"})
    script = Script(api=[*([limited] * 6), httpx.Response(502), OK_LIST])
    c = client(script, retry=RetryPolicy(max_attempts=3))
    assert run(using(c, lambda c: c.list_datasets())) == {}
    assert len(script.api_requests()) == 8


def test_a_platform_that_only_ever_throttles_is_given_up_on() -> None:
    limited = httpx.Response(429, json={"message": "Too many requests", "retryAfterMs": "1"})
    script = Script(api=[limited] * 100)
    c = client(script, retry=RetryPolicy(max_attempts=2, deadline=3600))
    with pytest.raises(ApiError) as info:
        run(using(c, lambda c: c.list_datasets()))
    assert info.value.status == 429
    assert len(script.api_requests()) == 2 * 4 + 1  # THROTTLES_PER_ATTEMPT per attempt, then out
