"""The platform's state, shared by every handler: its stores, its clock, who is calling."""

from __future__ import annotations

import json
from collections import Counter

from starlette.requests import Request

from aep_reconciler.emulator.config import EmulatorConfig
from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.datasets import DatasetStore
from aep_reconciler.emulator.gateway import Caller, authenticate
from aep_reconciler.emulator.jobs import JobStore
from aep_reconciler.emulator.merge_policies import MergePolicyStore
from aep_reconciler.emulator.profiles.audiences import AudienceStore
from aep_reconciler.emulator.profiles.batches import BatchStore
from aep_reconciler.emulator.profiles.engine import MergeRule
from aep_reconciler.emulator.profiles.runner import ExportRunner
from aep_reconciler.emulator.profiles.storage import Storage
from aep_reconciler.emulator.profiles.store import ProfileStore
from aep_reconciler.emulator.sandboxes import SandboxStore
from aep_reconciler.emulator.tokens import TokenStore


class Platform:
    """Everything a handler needs; tests reach it as ``app.state.platform``."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.db = Database(config.db_path)
        self.tokens = TokenStore(self.db)
        self.sandboxes = SandboxStore(self.db)
        self.sandboxes.add({c.org_id for c in config.credentials}, config.sandboxes)
        self.datasets = DatasetStore(self.db)
        self.jobs = JobStore(self.db, self.datasets)
        self.merge_policies = MergePolicyStore(self.db)
        self.storage = Storage(config.db_path)
        self.audiences = AudienceStore(self.db)
        self.profiles = ProfileStore(self.db, self.storage, self.audiences)
        self.batches = BatchStore(self.db)
        self.exports = ExportRunner(
            self.db, self.storage, self.profiles, self.audiences, self.batches, self._merge_rule
        )
        # (method, route template) -> requests received, faulted ones included
        self.requests: Counter[tuple[str, str]] = Counter()
        self.exports.start_all(self.now_ms())  # exports that fell due while no platform ran

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def advance(self, tenant: str) -> None:
        """Bring jobs and their exports up to now before a read."""
        now = self.now_ms()
        self.exports.tick(tenant, now)
        self.jobs.advance(tenant, now)

    def _merge_rule(self, tenant: str, policy_id: str | None) -> MergeRule | None:
        """How an export merges fragments: its policy's attributeMerge (None: no such policy)."""
        policy = self.merge_policies.lookup(tenant, policy_id, self.now_ms())
        if policy is None:
            return None
        merge = policy.get("attributeMerge") or {}
        return MergeRule(merge.get("type", "timestampOrdered"), tuple(merge.get("order") or ()))

    def authenticate(self, request: Request) -> Caller:
        return authenticate(request, self.tokens, self.sandboxes, self.now_ms())

    def client_of(self, authorization: str) -> str:
        """The rate-limit key of a call: its token's org and client, or "anonymous"."""
        scheme, _, token = authorization.partition(" ")
        owner = (
            self.tokens.owner(token.strip(), self.now_ms()) if scheme.lower() == "bearer" else None
        )
        return "anonymous" if owner is None else json.dumps([owner.org_id, owner.client_id])

    def close(self) -> None:
        self.exports.close(self.now_ms())
        self.db.close()
        self.storage.close()
