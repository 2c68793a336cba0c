"""Async client of the AEP APIs: headers, token, retries, paging and errors over one httpx seam.

Every call goes through ``AepClient._request``: it adds the headers of aep-api.md A.1,
gets the IMS token (renewing it once on a 401), retries what is safe to retry, and turns
every failure into ``ApiError`` (an answer) or ``TransportError`` (no answer). Secrets and
tokens never reach an error, a repr or a log line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from aep_reconciler.diagnostics import ApiError
from aep_reconciler.redaction import REDACTOR, Redactor
from aep_reconciler.remote._auth import TokenCache, parse_token_answer, token_form
from aep_reconciler.remote._base import Answer
from aep_reconciler.remote._config import (
    Connection,
    check_base_url,
    check_header_value,
)
from aep_reconciler.remote._data import DataCalls
from aep_reconciler.remote._datasets import DatasetCalls
from aep_reconciler.remote._errors import api_error, describe_exception, read_body, transport_error
from aep_reconciler.remote._jobs import JobCalls
from aep_reconciler.remote._profiles import ProfileCalls
from aep_reconciler.remote._retry import (
    RetryPolicy,
    is_retryable_status,
    may_retry_method,
    retry_hint,
    within_budget,
)
from aep_reconciler.wire import IMS_TOKEN_PATH

log = logging.getLogger(__name__)
# How many 429s a call may meet per attempt it has, besides the deadline that bounds them.
THROTTLES_PER_ATTEMPT = 4

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Room for ~16 concurrent calls plus the token call, reusing connections between them.
POOL_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=16)


@dataclass
class RequestStats:
    """What the client sent: every HTTP attempt (token calls and retries included)."""

    requests: int = 0
    retries: int = 0
    by_call: Counter[str] = field(default_factory=Counter)  # "GET /dataSets": attempts


@dataclass(frozen=True)
class _Failure:
    error: ApiError
    retryable: bool
    hint: float | None = None


class AepClient(DatasetCalls, JobCalls, ProfileCalls, DataCalls):
    """The typed calls of aep-api.md A.2 to A.4, against Adobe or the embedded platform."""

    def __init__(
        self,
        conn: Connection,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        injected = transport is not None
        self._platform = check_base_url(
            "AEP_PLATFORM_URL", conn.platform_url, transport_injected=injected
        )
        self._ims = check_base_url("AEP_IMS_URL", conn.ims_url, transport_injected=injected)
        check_header_value("the client id", conn.client_id)
        check_header_value("the org id", conn.org_id)
        check_header_value("the sandbox name", conn.sandbox)
        self._conn = conn
        self._retry = retry or RetryPolicy()
        self._sleep, self._clock, self._rand = sleep, clock, rand
        # verify stays at httpx's default (on); there is deliberately no way to turn it off.
        # Plain http only ever reaches loopback: it never goes through a proxy named by
        # HTTP_PROXY or ALL_PROXY, which would see the token form in clear. https may (a
        # CONNECT tunnel keeps TLS end to end).
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            limits=POOL_LIMITS,
            mounts=None if injected else {"http://": None},
        )
        self._tokens = TokenCache(self._fetch_token, clock)
        self._hidden = Redactor()
        self._hide(*(() if conn.well_known_secret else (conn.client_secret,)))
        self.stats = RequestStats()
        self._dated: tuple[float, float] | None = None  # (platform's Date in s, our monotonic)

    def __repr__(self) -> str:
        return f"<AepClient {self._conn.describe()}>"

    @property
    def connection(self) -> Connection:
        return self._conn

    async def __aenter__(self) -> AepClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def platform_now_ms(self) -> int:
        """The platform's clock, from the ``Date`` of its latest answer plus the time since
        (our own clock before any answer): jobs are aged by the clock that stamped them."""
        if self._dated is None:
            return round(time.time() * 1000)
        stamp, seen = self._dated
        return round((stamp + time.monotonic() - seen) * 1000)

    def _note_date(self, headers: httpx.Headers) -> None:
        try:
            moment = parsedate_to_datetime(headers.get("date", ""))
        except (TypeError, ValueError, IndexError):
            return  # no Date, or one we cannot read: keep what we had
        if moment.tzinfo is None:  # "-0000": UTC, said without committing to a zone
            moment = moment.replace(tzinfo=UTC)
        self._dated = (moment.timestamp(), time.monotonic())

    # --- the one request path -------------------------------------------------------------

    @property
    def _redactor(self) -> Redactor:
        return self._hidden

    def _hide(self, *secrets: str) -> None:
        """Keep ``secrets`` out of this client's errors and out of everything the process
        prints or writes (the process-wide REDACTOR)."""
        self._hidden.add(*secrets)
        REDACTOR.add(*secrets)

    def _headers(self, token: str | None, content_type: str | None) -> dict[str, str]:
        headers = {"Accept": JSON}
        if token is not None:
            headers.update(
                {
                    "Authorization": f"Bearer {token}",
                    "x-api-key": self._conn.client_id,
                    "x-gw-ims-org-id": self._conn.org_id,
                    "x-sandbox-name": self._conn.sandbox,
                }
            )
        if content_type is not None:
            headers["Content-Type"] = content_type
        return headers

    async def _send(self, method: str, url: str, name: str, **kw: Any) -> httpx.Response:
        self.stats.requests += 1
        self.stats.by_call[name] += 1
        return await self._http.request(method, url, **kw)

    async def _attempt(
        self,
        method: str,
        path: str,
        name: str,
        token: str | None,
        kw: dict[str, Any],
        raw: bool = False,
    ) -> Answer | _Failure:
        call = f"{method} {path}"
        # PATCH bodies here set fields and whole tags: repeating one is harmless (a repeated
        # JSON Patch ``remove`` fails once the tag is gone, and the next plan finds it done).
        # POST creates are never repeated here: see aep_reconciler.applier.recovery.
        safe = may_retry_method(method, self._retry, idempotent=token is None or method == "PATCH")
        base = self._platform if token is not None else self._ims
        try:
            resp = await self._send(method, base + path, name, **kw)
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            return _Failure(transport_error(call, describe_exception(exc), self._redactor), safe)
        except OSError as exc:  # an in-process (ASGI) platform that dropped the connection
            return _Failure(transport_error(call, describe_exception(exc), self._redactor), safe)
        except httpx.HTTPError as exc:
            return _Failure(transport_error(call, describe_exception(exc), self._redactor), False)
        log.debug("%s → %d", call, resp.status_code)
        if token is not None:
            self._note_date(resp.headers)
        if raw and resp.is_success:  # file contents: bytes as they came
            return Answer(resp.status_code, resp.headers, resp.content)
        body = read_body(resp.content, check_depth=not resp.is_success)
        if resp.is_success:
            return Answer(resp.status_code, resp.headers, body)
        error = api_error(call, resp.status_code, body, self._redactor)
        # A 429 was turned away before any work was done: repeating it is always safe.
        retryable = resp.status_code == 429 or (safe and is_retryable_status(resp.status_code))
        return _Failure(error, retryable, retry_hint(resp.headers, body, now=time.time()))

    async def _request(
        self,
        method: str,
        path: str,
        name: str,
        *,
        auth: bool = True,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
        **kw: Any,
    ) -> Answer:
        """Send one call (repeating it as the policy allows) and return its 2xx answer.

        With ``raw`` a successful answer's body is its bytes (file contents), not parsed.
        """
        # A 429 was turned away unprocessed and says when to come back: it spends the
        # deadline, not the attempts that failures get (a busy platform is not a broken one).
        failures, throttled, start, renewed = 0, 0, self._clock(), False
        while True:
            token = await self._tokens.get() if auth else None
            kw["headers"] = {**self._headers(token, content_type), **(headers or {})}
            outcome = await self._attempt(method, path, name, token, kw, raw)
            if isinstance(outcome, Answer):
                return outcome
            if token is not None and outcome.error.status == 401 and not renewed:
                self._tokens.invalidate(token)  # expired or revoked: one new token, one repeat
                renewed = True
                continue
            if outcome.error.status == 429:
                throttled += 1
            else:
                failures += 1
            delay = self._retry.backoff.delay(
                failures + throttled, hint=outcome.hint, rand=self._rand
            )
            too_busy = throttled > THROTTLES_PER_ATTEMPT * self._retry.max_attempts
            spent = self._retry.max_attempts if too_busy else failures
            if not outcome.retryable or not within_budget(
                spent, self._clock() - start, delay, self._retry
            ):
                raise outcome.error
            if outcome.error.status == 429:
                asked = " as the platform asked" if outcome.hint is not None else ""
                log.info("rate limited on %s: waiting %.2f s%s", name, delay, asked)
            else:
                log.info("retrying %s in %.2f s after: %s", name, delay, outcome.error)
            self.stats.retries += 1
            await self._sleep(delay)

    async def _fetch_token(self) -> tuple[str, float]:
        name = f"POST {IMS_TOKEN_PATH}"
        answer = await self._request(
            "POST", IMS_TOKEN_PATH, name, auth=False, content_type=FORM, data=token_form(self._conn)
        )
        try:
            token, expires_in = parse_token_answer(answer.body)
        except ValueError as exc:
            raise transport_error(name, str(exc), self._redactor) from None
        self._hide(token)
        return token, expires_in

    async def _json(self, method: str, path: str, name: str, body: Any, **kw: Any) -> Answer:
        content = json.dumps(body, separators=(",", ":")).encode()
        kw.setdefault("content_type", JSON)
        return await self._request(method, path, name, content=content, **kw)
