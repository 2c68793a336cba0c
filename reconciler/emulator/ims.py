"""The IMS token endpoint (A.2): OAuth2 client credentials in, an opaque bearer token out."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from reconciler.emulator.gateway import media_type
from reconciler.emulator.responses import json_response, oauth_error
from reconciler.emulator.tokens import TokenOwner

if TYPE_CHECKING:
    from reconciler.emulator.app import Platform

_FORM = "application/x-www-form-urlencoded"


async def issue_token(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    if media_type(request) != _FORM:
        raise oauth_error(400, "invalid_request", f"the body must be {_FORM}")
    try:
        fields = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        raise oauth_error(400, "invalid_request", "the body is not a valid form") from None
    grant = fields.get("grant_type")
    if not grant:
        raise oauth_error(400, "invalid_request", "missing grant_type parameter")
    if grant != "client_credentials":
        raise oauth_error(400, "unsupported_grant_type", f"unsupported grant_type {grant!r}")
    client_id, secret = fields.get("client_id"), fields.get("client_secret")
    if not client_id:
        raise oauth_error(400, "invalid_request", "missing client_id parameter")
    if not secret:
        raise oauth_error(400, "invalid_request", "missing client_secret parameter")
    cred = platform.config.credential(client_id)
    if cred is None or not hmac.compare_digest(
        cred.client_secret.encode("utf-8"), secret.encode("utf-8")
    ):
        raise oauth_error(401, "invalid_client", "invalid client_id or client_secret")
    ttl = platform.config.token_ttl_s
    token = platform.tokens.issue(TokenOwner(cred.org_id, cred.client_id), platform.now_ms(), ttl)
    return json_response(
        {"access_token": token, "token_type": "bearer", "expires_in": ttl},
        headers={"Cache-Control": "no-store"},
    )
