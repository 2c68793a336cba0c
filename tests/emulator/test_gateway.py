"""The A.1 header rules, sandboxes as isolated tenants, and the per-route request counter."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from aep_reconciler.emulator import Credential, EmulatorConfig, ManualClock, create_app
from aep_reconciler.emulator.seed import seed_database
from tests.emulator.emu_support import DATASETS, JOBS, Api

pytestmark = pytest.mark.anyio


async def test_missing_authorization(api: Api) -> None:
    headers = api.headers()
    del headers["Authorization"]
    resp = await api.client.get(DATASETS, headers=headers)
    assert resp.status_code == 403
    assert resp.json() == {"error_code": "403010", "message": "Oauth token is missing."}


@pytest.mark.parametrize("value", ["Bearer not-a-token", "Basic abc", "Bearer"])
async def test_invalid_authorization(api: Api, value: str) -> None:
    resp = await api.client.get(JOBS, headers=api.headers(Authorization=value))
    assert resp.status_code == 401
    assert resp.json() == {"error_code": "401013", "message": "Oauth token is not valid"}


async def test_api_key_rules(api: Api) -> None:
    headers = api.headers()
    del headers["x-api-key"]
    resp = await api.client.get(DATASETS, headers=headers)
    assert (resp.status_code, resp.json()) == (
        403,
        {"error_code": "403000", "message": "Api Key is required"},
    )
    resp = await api.client.get(DATASETS, headers=api.headers(**{"x-api-key": "other"}))
    assert (resp.status_code, resp.json()) == (
        403,
        {"error_code": "403003", "message": "Api Key is invalid"},
    )


async def test_org_rules(api: Api) -> None:
    headers = api.headers()
    del headers["x-gw-ims-org-id"]
    resp = await api.client.get(JOBS, headers=headers)
    assert (resp.status_code, resp.json()) == (
        400,
        {"error_code": "400003", "message": "Missing header"},
    )
    resp = await api.client.get(JOBS, headers=api.headers(**{"x-gw-ims-org-id": "x@AdobeOrg"}))
    assert (resp.status_code, resp.json()) == (
        403,
        {"error_code": "403025", "message": "Profile is not valid"},
    )


async def test_token_of_another_org_is_403025() -> None:
    other = Credential(org_id="other@AdobeOrg", client_id="other-client", client_secret="s2")
    app = create_app(EmulatorConfig(credentials=(Credential(), other), clock=ManualClock()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://aep.test"
    ) as client:
        api = Api(client)
        await api.login("other-client", "s2")
        headers = api.headers(**{"x-api-key": "other-client"})
        resp = await client.get(DATASETS, headers=headers)
        assert resp.json()["error_code"] == "403025"
        headers["x-gw-ims-org-id"] = "other@AdobeOrg"
        assert (await client.get(DATASETS, headers=headers)).status_code == 200


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/xml"])
async def test_content_type_required_on_writes(api: Api, content_type: str | None) -> None:
    headers = api.headers()
    if content_type:
        headers["Content-Type"] = content_type
    body = b'{"name":"x","schemaRef":{"id":"s"}}'
    for url in (DATASETS, JOBS):
        resp = await api.client.post(url, headers=headers, content=body)
        assert resp.status_code == 400
        assert resp.json() == {
            "type": "/placeholder/type/uri",
            "status": 400,
            "title": "BadRequestError",
            "detail": "A valid content-type must be specified",
        }
    listing = await api.call("GET", DATASETS)
    assert listing.json() == {}
    ds = await api.create_dataset("a")
    resp = await api.client.patch(f"{DATASETS}/{ds}", headers=headers, content=b'{"name":"b"}')
    assert resp.status_code == 400
    assert resp.json()["detail"] == "A valid content-type must be specified"


async def test_missing_sandbox_is_prod_and_names_are_lowercase(api: Api) -> None:
    ds = await api.create_dataset("in-prod", sandbox="prod")
    assert ds in (await api.call("GET", DATASETS, sandbox=None)).json()
    dev = await api.create_dataset("in-dev", sandbox="dev")
    assert dev in (await api.call("GET", DATASETS, sandbox="DEV")).json()


async def test_each_sandbox_is_an_isolated_tenant(api: Api) -> None:
    ds = await api.create_dataset("prod-only")
    job = await api.create_job(ds)
    assert (await api.call("GET", f"{DATASETS}/{ds}", sandbox="dev")).status_code == 404
    assert (await api.call("GET", f"{JOBS}/{job['id']}", sandbox="dev")).status_code == 404
    assert (await api.call("DELETE", f"{DATASETS}/{ds}", sandbox="dev")).status_code == 404
    assert (await api.call("DELETE", f"{JOBS}/{job['id']}", sandbox="dev")).status_code == 404
    assert (await api.call("GET", DATASETS, sandbox="dev")).json() == {}
    assert (await api.call("GET", JOBS, sandbox="dev")).json()["records"] == []
    resp = await api.call(
        "POST",
        JOBS,
        sandbox="dev",
        json={"destination": {"datasetId": ds}, "schema": {"name": "x"}},
    )
    assert resp.status_code == 400
    assert (await api.call("GET", f"{DATASETS}/{ds}")).status_code == 200


@pytest.mark.parametrize("sandbox", ["staging", "pr0d", "dev2"])
async def test_an_unknown_sandbox_is_refused_not_an_empty_tenant(api: Api, sandbox: str) -> None:
    """aep-api.md B.1 (A.1 leaves it undocumented): a sandbox the org does not have answers
    403 in the gateway family, for reads and writes alike."""
    for method, url in (("GET", DATASETS), ("GET", JOBS), ("POST", DATASETS)):
        resp = await api.call(method, url, sandbox, json={"name": "x"})
        assert resp.status_code == 403, resp.text
        body = resp.json()
        assert set(body) == {"error_code", "message"} and body["error_code"].startswith("403")
        assert sandbox in body["message"]
    assert (await api.call("GET", DATASETS)).json() == {}  # nothing was written anywhere


async def test_sandboxes_come_from_config_seed_and_persist(tmp_path: Path) -> None:
    """``serve --sandbox`` and ``emulator seed --sandbox`` create sandboxes; they stay."""
    db = str(tmp_path / "p.db")
    seed_database(db, datasets=1, jobs=0, sandbox="Seeded")
    first = create_app(EmulatorConfig(db_path=db, sandboxes=("qa",), clock=ManualClock()))
    first.state.platform.close()
    app = create_app(EmulatorConfig(db_path=db, clock=ManualClock()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        helper = Api(c)
        await helper.login()
        for sandbox in ("qa", "seeded", "prod"):
            assert (await helper.call("GET", DATASETS, sandbox)).status_code == 200
        assert (await helper.call("GET", DATASETS, "other")).status_code == 403
    app.state.platform.close()


async def test_requests_are_counted_by_route_template(app: object, api: Api) -> None:
    platform = app.state.platform  # type: ignore[attr-defined]
    ds = await api.create_dataset()
    await api.call("GET", f"{DATASETS}/{ds}")
    await api.call("GET", f"{DATASETS}/{ds}")
    await api.call("GET", f"{DATASETS}/nope")
    await api.call("GET", f"{JOBS}/")
    assert platform.requests[("POST", "/ims/token/v3")] == 1
    assert platform.requests[("POST", DATASETS)] == 1
    assert platform.requests[("GET", DATASETS + "/{id}")] == 3
    assert platform.requests[("GET", JOBS)] == 1


async def test_unknown_route_is_a_json_404(api: Api) -> None:
    resp = await api.call("GET", "/data/foundation/nothing")
    assert resp.status_code == 404
    assert resp.json()["error_code"] == "404000"
