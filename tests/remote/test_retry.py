"""Retry timing decisions: server hints, jittered capped backoff, budget, which methods."""

from __future__ import annotations

import pytest

from aep_reconciler.remote import RetryPolicy
from aep_reconciler.remote._retry import (
    is_retryable_status,
    may_retry_method,
    retry_hint,
    within_budget,
)


def test_retry_after_header_in_seconds() -> None:
    assert retry_hint({"Retry-After": "3"}, None) == 3.0
    assert retry_hint({"retry-after": "1.5"}, None) == 1.5


def test_retry_after_ms_in_the_body_as_string_or_number() -> None:
    assert retry_hint({}, {"message": "Too many requests", "retryAfterMs": "500"}) == 0.5
    assert retry_hint({}, {"retryAfterMs": 1200}) == 1.2


def test_both_hints_the_longer_wins() -> None:
    assert retry_hint({"Retry-After": "1"}, {"retryAfterMs": "2500"}) == 2.5
    assert retry_hint({"Retry-After": "4"}, {"retryAfterMs": "2500"}) == 4.0


def test_retry_after_http_date() -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}
    now = 1445412480.0  # 07:28:00 that day
    assert retry_hint(headers, None, now=now) == pytest.approx(10.0)
    assert retry_hint(headers, None, now=now + 60) == 0.0
    assert retry_hint(headers, None) is None


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, None),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-3"}, None),
        ({}, {"retryAfterMs": "nan"}),
        ({}, {"retryAfterMs": None}),
        ({}, ["retryAfterMs"]),
    ],
)
def test_missing_or_unreadable_hints_are_ignored(headers: dict[str, str], body: object) -> None:
    assert retry_hint(headers, body) is None


def test_the_client_backs_off_with_full_jitter_from_its_policy() -> None:
    backoff = RetryPolicy(base_delay=0.5, max_delay=3.0).backoff
    assert (backoff.base, backoff.cap, backoff.floor) == (0.5, 3.0, 0.0)


def test_budget_counts_attempts_and_deadline() -> None:
    policy = RetryPolicy(max_attempts=3, deadline=10.0)
    assert within_budget(1, 0.0, 1.0, policy)
    assert within_budget(2, 8.0, 2.0, policy)
    assert not within_budget(3, 0.0, 0.0, policy)
    assert not within_budget(1, 8.0, 2.5, policy)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 501])
def test_statuses_that_are_final(status: int) -> None:
    assert not is_retryable_status(status)


def test_only_get_and_delete_retry_by_default() -> None:
    policy = RetryPolicy()
    assert may_retry_method("GET", policy) and may_retry_method("delete", policy)
    assert not may_retry_method("POST", policy)
    assert not may_retry_method("PATCH", policy)
    assert may_retry_method("POST", policy, idempotent=True)
    assert may_retry_method("POST", RetryPolicy(retry_unsafe=True))
