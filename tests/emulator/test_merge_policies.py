"""``GET /data/core/ups/config/mergePolicies`` (+ ``/{id}``), shaped as Adobe's "Merge policies
endpoint" page shows: one default policy per sandbox, ``_page``/``children``/``_links``."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from aep_reconciler.emulator import ManualClock
from aep_reconciler.emulator.merge_policies import (
    DEFAULT_POLICY_ID,
    MergePolicyStore,
    default_policy,
)
from aep_reconciler.wire import UPS_BASE
from tests.emulator.emu_support import ORG, Api

pytestmark = pytest.mark.anyio

POLICIES = f"{UPS_BASE}/config/mergePolicies"


def add_policy(app: Starlette, sandbox: str, policy_id: str, *, default: bool = False) -> None:
    """Seed one more policy, as the profile store's seeds do."""
    platform = app.state.platform
    tenant = f"{ORG}/{sandbox}"
    platform.merge_policies.ensure_default(tenant, platform.now_ms())
    policy = default_policy(tenant, platform.now_ms()) | {
        "id": policy_id,
        "name": f"policy {policy_id}",
        "default": default,
        "version": 3,
    }
    with platform.db.transaction() as conn:
        MergePolicyStore.add(conn, tenant, policy)


async def test_each_sandbox_starts_with_one_default_policy(api: Api, clock: ManualClock) -> None:
    """Merge policies page: "Platform provides a default merge policy"; list shape."""
    resp = await api.call("GET", POLICIES)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["_page"] == {"totalCount": 1, "pageSize": 1}
    assert body["_links"] == {"next": {"href": ""}}
    (policy,) = body["children"]
    assert policy["id"] == DEFAULT_POLICY_ID and policy["default"] is True
    assert policy["schema"] == {"name": "_xdm.context.profile"} and policy["version"] == 1
    assert policy["imsOrgId"] == ORG and policy["sandbox"]["sandboxName"] == "prod"
    one = await api.call("GET", f"{POLICIES}/{DEFAULT_POLICY_ID}")
    assert one.status_code == 200 and one.json() == policy


async def test_policies_belong_to_their_sandbox(api: Api, app: Starlette) -> None:
    add_policy(app, "dev", "dev-only")
    dev = (await api.call("GET", POLICIES, "dev")).json()["children"]
    prod = (await api.call("GET", POLICIES)).json()["children"]
    assert sorted(p["id"] for p in dev) == sorted([DEFAULT_POLICY_ID, "dev-only"])
    assert [p["id"] for p in prod] == [DEFAULT_POLICY_ID]
    missing = await api.call("GET", f"{POLICIES}/dev-only")
    assert missing.status_code == 404 and missing.json()["errors"]["404"]


async def test_a_new_default_replaces_the_old_one_and_jobs_resolve_to_it(
    api: Api, app: Starlette
) -> None:
    """Merge policies page: one default per schema; setting one unsets the previous."""
    add_policy(app, "prod", "newer-default", default=True)
    defaults = (await api.call("GET", POLICIES, params={"default": "true"})).json()["children"]
    assert [p["id"] for p in defaults] == ["newer-default"]
    ds = await api.create_dataset()
    job = await api.create_job(ds)
    assert job["mergePolicy"] == {"id": "newer-default", "version": 3}


async def test_paging_follows_limit_and_next_link(api: Api, app: Starlette) -> None:
    for name in ("p-a", "p-b", "p-c"):
        add_policy(app, "prod", name)
    first = (await api.call("GET", POLICIES, params={"limit": "2"})).json()
    assert first["_page"] == {"totalCount": 4, "pageSize": 2}
    href = first["_links"]["next"]["href"]
    assert href.startswith("@/mergePolicies?") and "start=2" in href
    query = href.split("?", 1)[1]
    second = (await api.call("GET", f"{POLICIES}?{query}")).json()
    assert second["_links"]["next"]["href"] == ""
    names = [p["name"] for p in first["children"] + second["children"]]
    assert names == sorted(names) and len(set(names)) == 4
    desc = (await api.call("GET", POLICIES, params={"orderBy": "-name"})).json()["children"]
    assert [p["name"] for p in desc] == sorted(names, reverse=True)


@pytest.mark.parametrize(
    "params", [{"limit": "0"}, {"limit": "x"}, {"orderBy": "-color"}, {"colour": "red"}]
)
async def test_bad_list_parameters_are_ups_400(api: Api, params: dict[str, str]) -> None:
    resp = await api.call("GET", POLICIES, params=params)
    assert resp.status_code == 400
    assert resp.json()["errors"]["400"][0]["message"]
