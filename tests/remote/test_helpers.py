"""Pure helpers: error bodies, redaction, token answers and renewal, paging cursors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aep_reconciler.diagnostics import ApiError, TransportError
from aep_reconciler.redaction import REDACTED, Redactor
from aep_reconciler.remote._auth import TokenCache, parse_token_answer, renew_after
from aep_reconciler.remote._errors import api_error, read_body, transport_error
from aep_reconciler.remote._paging import (
    check_page_size,
    dataset_query,
    datasets_of,
    job_records,
    next_job_offset,
    normalise_job,
    tags_param,
)

from .fakes import run


def test_read_body_json_text_and_empty() -> None:
    assert read_body(b'{"a": 1}') == {"a": 1}
    assert read_body(b"<html>bad gateway</html>") == "<html>bad gateway</html>"
    assert read_body(b"") is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error_code": "401013", "message": "Oauth token is not valid"}, "401013"),
        (
            {"type": "/x", "status": 404, "title": "NotFoundError", "detail": "DataSet not found."},
            "DataSet not found.",
        ),
        (
            {
                "requestId": "r",
                "errors": {"400": [{"code": "X1", "message": "bad status"}]},
                "status": 400,
            },
            "X1: bad status",
        ),
        ({"error": "invalid_client", "error_description": "unknown client"}, "invalid_client"),
    ],
)
def test_each_error_family_is_read(body: dict[str, object], expected: str) -> None:
    error = api_error("GET /x", 400, body, Redactor())
    assert isinstance(error, ApiError)
    assert expected in error.aep_message
    assert error.status == 400 and "GET /x" in str(error)


def test_redaction_reaches_strings_keys_and_lists() -> None:
    body = {"msg": "token abc123 refused", "abc123": ["x abc123"], "n": 3}
    assert Redactor(["abc123", ""]).value(body) == {
        "msg": f"token {REDACTED} refused",
        REDACTED: [f"x {REDACTED}"],
        "n": 3,
    }
    assert Redactor().value("nothing") == "nothing"


def test_errors_never_carry_secrets() -> None:
    error = api_error(
        "POST /ims/token/v3", 401, {"error_description": "bad pw hunter2"}, Redactor(["hunter2"])
    )
    assert "hunter2" not in str(error) and "hunter2" not in repr(error)
    dropped = transport_error("GET /x", "ConnectError: hunter2", Redactor(["hunter2"]))
    assert isinstance(dropped, TransportError) and dropped.status == 0
    assert "hunter2" not in str(dropped) and "no answer" in str(dropped)


def test_token_answer_parsing() -> None:
    assert parse_token_answer({"access_token": "t", "expires_in": 86399}) == ("t", 86399.0)
    assert parse_token_answer({"access_token": "t", "expires_in": "60"}) == ("t", 60.0)
    bads: tuple[Any, ...] = (
        {},
        {"access_token": ""},
        [],
        {"access_token": "t", "expires_in": "x"},
        {"access_token": "t", "expires_in": True},
    )
    for bad in bads:
        with pytest.raises(ValueError):
            parse_token_answer(bad)


def test_renewal_five_minutes_early_or_halfway() -> None:
    assert renew_after(86399) == 86099
    assert renew_after(400) == 200


def test_token_cache_fetches_once_for_concurrent_callers_and_renews_when_due() -> None:
    now = [0.0]
    fetched: list[int] = []

    async def fetch() -> tuple[str, float]:
        await asyncio.sleep(0)
        fetched.append(1)
        return f"t{len(fetched)}", 3600.0

    async def scenario() -> list[str]:
        cache = TokenCache(fetch, lambda: now[0])
        first = await asyncio.gather(*(cache.get() for _ in range(20)))
        now[0] = 3299.0
        still = await cache.get()
        now[0] = 3300.0
        renewed = await cache.get()
        cache.invalidate("t1")  # an old token: the newer one is kept
        kept = await cache.get()
        assert "t2" not in repr(cache)
        cache.invalidate("t2")
        return [*set(first), still, renewed, kept, await cache.get()]

    assert run(scenario()) == ["t1", "t1", "t2", "t2", "t3"]
    assert len(fetched) == 3


def test_page_size_bounds() -> None:
    assert check_page_size(1) == 1 and check_page_size(100) == 100
    bads: tuple[Any, ...] = (0, 101, -5)
    for bad in bads:
        with pytest.raises(ValueError):
            check_page_size(bad)


def test_dataset_query() -> None:
    assert dataset_query(0, 50) == {"orderBy": "asc:created", "start": "0", "limit": "50"}
    query = dataset_query(
        100, 100, properties=["name", "tags"], tags={"owner": "me", "a": "*"}, name="x"
    )
    assert query["properties"] == "name,tags"
    assert query["tags"] == "a:*,owner:me"
    assert query["name"] == "x" and query["start"] == "100"
    assert tags_param({"b": "2", "a": "1"}) == "a:1,b:2"


def test_dataset_answers_must_be_keyed_objects() -> None:
    assert datasets_of({"id1": {"name": "a"}}) == {"id1": {"name": "a"}}
    bads: tuple[Any, ...] = ([], {"id1": "x"}, None)
    for bad in bads:
        with pytest.raises(ValueError):
            datasets_of(bad)


def test_job_records_shape() -> None:
    assert job_records({"records": [{"id": 1}]}) == [{"id": 1}]
    bads: tuple[Any, ...] = ({}, {"records": {}}, {"records": [1]}, [])
    for bad in bads:
        with pytest.raises(ValueError):
            job_records(bad)


def test_job_cursor_from_link_next_page_offset_or_none() -> None:
    nxt = {"link": {"next": "/export/jobs/?limit=2&offset=1700_9"}, "page": {"pageOffset": "z"}}
    assert next_job_offset(nxt, 2, 2) == "1700_9"
    assert (
        next_job_offset(
            {"link": {"next": "/export/jobs/?limit=2"}, "page": {"pageOffset": "1700_8"}}, 2, 2
        )
        == "1700_8"
    )
    assert next_job_offset({"link": {"next": ""}, "page": {"pageOffset": "1_1"}}, 2, 2) is None
    # without a link, a full page with a pageOffset continues and a short page ends
    assert next_job_offset({"page": {"pageOffset": "1_1"}}, 2, 2) == "1_1"
    assert next_job_offset({"page": {"pageOffset": "1_1"}}, 1, 2) is None
    assert next_job_offset({"records": []}, 2, 2) is None


def test_normalise_job_reads_both_spellings() -> None:
    guide = {"id": 1, "destination": {"dataSetId": "d1", "segmentPerBatch": False}}
    spec = {"id": 2, "destination": {"datasetId": "d2"}}
    assert normalise_job(guide)["destination"] == {"datasetId": "d1", "segmentPerBatch": False}
    assert guide["destination"] == {"dataSetId": "d1", "segmentPerBatch": False}  # not mutated
    assert normalise_job(spec)["destination"] == {"datasetId": "d2"}
    assert normalise_job({"id": 3}) == {"id": 3}
