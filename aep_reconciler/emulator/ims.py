"""The IMS token endpoint (A.2): OAuth2 client credentials in, an opaque bearer token out.

``scope`` is required; the parameters may come as a form body or in the query string.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from aep_reconciler.emulator.gateway import media_type
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.responses import json_response, oauth_error
from aep_reconciler.emulator.tokens import TokenOwner

_FORM = "application/x-www-form-urlencoded"


async def _parameters(request: Request) -> dict[str, str]:
    """The form body's fields over the query string's (A.2: IMS takes either)."""
    fields = dict(request.query_params)
    body = await request.body()
    if body or not fields:
        if media_type(request) != _FORM:
            raise oauth_error(400, "invalid_request", f"the body must be {_FORM}")
        try:
            fields |= dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise oauth_error(400, "invalid_request", "the body is not a valid form") from None
    return fields


async def issue_token(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    fields = await _parameters(request)
    grant = fields.get("grant_type")
    if not grant:
        raise oauth_error(400, "invalid_request", "missing grant_type parameter")
    if grant != "client_credentials":
        raise oauth_error(400, "unsupported_grant_type", f"unsupported grant_type {grant!r}")
    for name in ("client_id", "client_secret", "scope"):
        if not fields.get(name):
            raise oauth_error(400, "invalid_request", f"missing {name} parameter")
    client_id, secret = fields["client_id"], fields["client_secret"]
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
