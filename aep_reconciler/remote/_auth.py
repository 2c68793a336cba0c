"""The IMS access token: the form that asks for it, and a cache that renews it before expiry."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aep_reconciler.remote._config import Connection

_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")

# Renew this long before the token expires, so that a call started just before expiry
# does not arrive with a dead token.
RENEW_MARGIN = 300.0

FetchToken = Callable[[], Awaitable[tuple[str, float]]]


def token_form(conn: Connection) -> dict[str, str]:
    """The form body of ``POST /ims/token/v3`` (OAuth Server-to-Server client credentials)."""
    return {
        "grant_type": "client_credentials",
        "client_id": conn.client_id,
        "client_secret": conn.client_secret,
        "scope": conn.scopes,
    }


def parse_token_answer(body: Any) -> tuple[str, float]:
    """(access_token, expires_in seconds) from IMS's answer, or ValueError naming what is wrong."""
    if not isinstance(body, Mapping):
        raise ValueError("token answer is not a JSON object")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise ValueError("token answer has no access_token")
    if not _BEARER_TOKEN.fullmatch(token):
        # it is sent back in a header: RFC 6750's token characters only
        raise ValueError("token answer has an access_token with characters a token cannot hold")
    expires_in = body.get("expires_in", 0)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float | str):
        raise ValueError("token answer has an unreadable expires_in")
    try:
        seconds = float(expires_in)
    except ValueError:
        raise ValueError("token answer has an unreadable expires_in") from None
    return token, max(seconds, 0.0)


def renew_after(expires_in: float) -> float:
    """Seconds after issue at which to renew: RENEW_MARGIN early, or halfway for short tokens."""
    if expires_in > 2 * RENEW_MARGIN:
        return expires_in - RENEW_MARGIN
    return expires_in / 2


class TokenCache:
    """One token shared by every call; concurrent first calls wait for a single fetch."""

    def __init__(self, fetch: FetchToken, clock: Callable[[], float]) -> None:
        self._fetch = fetch
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        state = "empty" if self._token is None else "holding a token"
        return f"<TokenCache {state}>"

    def _fresh(self) -> str | None:
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        return None

    async def get(self) -> str:
        """A token that is not due for renewal, fetching one if needed."""
        token = self._fresh()
        if token is not None:
            return token
        async with self._lock:
            token = self._fresh()
            if token is not None:
                return token  # another call fetched it while we waited for the lock
            issued = self._clock()
            token, expires_in = await self._fetch()
            self._token, self._renew_at = token, issued + renew_after(expires_in)
            return token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after the platform refused it; a newer token is kept."""
        if self._token == token:
            self._token = None
