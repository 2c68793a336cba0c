"""Merge policies per (org, sandbox): each sandbox has a default one; jobs resolve theirs here.

Adobe's "Merge policies endpoint" page: a policy has an id, a ``version`` the platform bumps on
every change, a ``schema.name`` and ``default`` (one default per schema); "a default will be
used if one is not explicitly provided". Every sandbox starts with one default policy for
``_xdm.context.profile``; more can be added with ``MergePolicyStore.add`` (seeds).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.datasets import sandbox_id

PROFILE_SCHEMA = "_xdm.context.profile"
# The same well-known id in every sandbox, so manifests for the embedded target can name it.
DEFAULT_POLICY_ID = "00000000-0000-4000-8000-000000000001"


def default_policy(tenant: str, now_ms: int) -> dict[str, Any]:
    """The policy a new sandbox starts with: timestamp-ordered, no identity stitching.

    ``tenant`` is the stores' key, ``{org}/{sandbox}``.
    """
    org_id, _, sandbox = tenant.partition("/")
    return {
        "id": DEFAULT_POLICY_ID,
        "name": "Default timestamp-ordered",
        "imsOrgId": org_id,
        "sandbox": {
            "sandboxId": sandbox_id(tenant),
            "sandboxName": sandbox,
            "type": "production" if sandbox == "prod" else "development",
            "default": sandbox == "prod",
        },
        "schema": {"name": PROFILE_SCHEMA},
        "version": 1,
        "identityGraph": {"type": "none"},
        "attributeMerge": {"type": "timestampOrdered"},
        "default": True,
        "updateEpoch": now_ms // 1000,  # seconds, as in Adobe's examples
    }


class MergePolicyStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready: set[str] = set()  # tenants known to hold their default policy

    def ensure_default(self, tenant: str, now_ms: int) -> None:
        """Give the sandbox its default policy the first time anything asks for policies."""
        if tenant in self._ready:
            return
        with self._db.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM merge_policies WHERE tenant = ? LIMIT 1", (tenant,)
            ).fetchone()
            if exists is None:
                self.add(conn, tenant, default_policy(tenant, now_ms))
        self._ready.add(tenant)

    @staticmethod
    def add(conn: sqlite3.Connection, tenant: str, policy: dict[str, Any]) -> None:
        """Store ``policy`` (a complete policy object); a default one unsets the schema's other."""
        if policy.get("default"):
            schema = policy["schema"]["name"]
            for other in MergePolicyStore._all(conn, tenant):
                if other["default"] and other["schema"]["name"] == schema:
                    other["default"] = False
                    MergePolicyStore._write(conn, tenant, other)
        MergePolicyStore._write(conn, tenant, policy)

    def all(self, tenant: str, now_ms: int) -> list[dict[str, Any]]:
        self.ensure_default(tenant, now_ms)
        return self._all(self._db.conn, tenant)

    def get(self, tenant: str, policy_id: str, now_ms: int) -> dict[str, Any] | None:
        self.ensure_default(tenant, now_ms)
        row = self._db.conn.execute(
            "SELECT body FROM merge_policies WHERE tenant = ? AND id = ?",
            (tenant, policy_id),
        ).fetchone()
        return None if row is None else dict(json.loads(row["body"]))

    def lookup(self, tenant: str, policy_id: str | None, now_ms: int) -> dict[str, Any] | None:
        """The policy an export uses: ``policy_id``, or the profile default when None."""
        if policy_id is not None:
            return self.get(tenant, policy_id, now_ms)
        policies = self.all(tenant, now_ms)
        return next((p for p in policies if p["default"]), policies[0])

    def resolve(
        self, tenant: str, requested: dict[str, Any] | None, schema: str, now_ms: int
    ) -> dict[str, Any] | None:
        """The ``{id, version}`` a job runs with, or None when the request names no such policy.

        No policy named: the schema's default (the profile default when the schema has none).
        No version named: the policy's latest.
        """
        if requested is None:
            policies = self.all(tenant, now_ms)
            defaults = {p["schema"]["name"]: p for p in policies if p["default"]}
            chosen = defaults.get(schema) or defaults.get(PROFILE_SCHEMA) or policies[0]
            return {"id": chosen["id"], "version": chosen["version"]}
        policy = self.get(tenant, str(requested["id"]), now_ms)
        if policy is None:
            return None
        version = requested.get("version")
        if version is None:
            return {"id": policy["id"], "version": policy["version"]}
        if not 1 <= version <= policy["version"]:
            return None
        return {"id": policy["id"], "version": version}

    @staticmethod
    def _all(conn: sqlite3.Connection, tenant: str) -> list[dict[str, Any]]:
        rows = conn.execute(
            "SELECT body FROM merge_policies WHERE tenant = ? ORDER BY id", (tenant,)
        ).fetchall()
        return [dict(json.loads(r["body"])) for r in rows]

    @staticmethod
    def _write(conn: sqlite3.Connection, tenant: str, policy: dict[str, Any]) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO merge_policies (tenant, id, body) VALUES (?,?,?)",
            (tenant, policy["id"], json.dumps(policy)),
        )
