"""IMS token endpoint: OAuth2 client credentials, error bodies, expiry by the platform clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from aep_reconciler.emulator import EmulatorConfig, ManualClock
from tests.emulator.emu_support import CLIENT_ID, DATASETS, SECRET, Api

pytestmark = pytest.mark.anyio

TOKEN = "/ims/token/v3"


def form(**overrides: Any) -> dict[str, Any]:
    base = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "scope": "openid,AdobeID,read_organizations",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


async def test_token_is_opaque_bearer_with_configured_ttl(client: httpx.AsyncClient) -> None:
    resp = await client.post(TOKEN, data=form())
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert len(body["access_token"]) > 40
    second = (await client.post(TOKEN, data=form())).json()["access_token"]
    assert second != body["access_token"]


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"client_secret": None}, 400, "invalid_request"),
        ({"scope": None}, 400, "invalid_request"),
        ({"scope": ""}, 400, "invalid_request"),
    ],
)
async def test_oauth_errors(
    client: httpx.AsyncClient, overrides: dict[str, Any], status: int, error: str
) -> None:
    resp = await client.post(TOKEN, data=form(**overrides))
    assert resp.status_code == status
    body = resp.json()
    assert body["error"] == error
    assert body["error_description"]
    assert SECRET not in resp.text


async def test_parameters_may_come_in_the_query_string(client: httpx.AsyncClient) -> None:
    """aep-api.md A.2 (OAuth Server-to-Server credential API reference): the parameters may
    be sent in the query string instead of the form body; scope is mandatory either way."""
    resp = await client.post(TOKEN, params=form())
    assert resp.status_code == 200, resp.text
    assert resp.json()["token_type"] == "bearer"
    split = await client.post(
        TOKEN, params=form(client_secret=None), data={"client_secret": SECRET}
    )
    assert split.status_code == 200
    no_scope = await client.post(TOKEN, params=form(scope=None))
    assert (no_scope.status_code, no_scope.json()["error"]) == (400, "invalid_request")
    assert "scope" in no_scope.json()["error_description"]


async def test_json_body_is_invalid_request(client: httpx.AsyncClient) -> None:
    resp = await client.post(TOKEN, json=form())
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


async def test_token_expires_by_the_platform_clock() -> None:
    clock = ManualClock()
    from aep_reconciler.emulator import create_app

    app = create_app(EmulatorConfig(clock=clock, token_ttl_s=60))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://aep.test"
    ) as client:
        api = Api(client)
        await api.login()
        assert (await api.call("GET", DATASETS)).status_code == 200
        clock.advance(59)
        assert (await api.call("GET", DATASETS)).status_code == 200
        clock.advance(1)
        resp = await api.call("GET", DATASETS)
        assert resp.status_code == 401
        assert resp.json() == {"error_code": "401013", "message": "Oauth token is not valid"}
