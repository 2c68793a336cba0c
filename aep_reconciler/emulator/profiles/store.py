"""Each sandbox's profile store: the demo one it starts with, or one seeded on request.

The profile data is Parquet (profiles, fragments, events, memberships) in the platform's
file area, so any number of processes can read it at once; which sandboxes have a store,
and their audiences, are rows in SQLite.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.datasets import sandbox_id
from aep_reconciler.emulator.merge_policies import (
    DEFAULT_POLICY_ID,
    MergePolicyStore,
    default_policy,
)
from aep_reconciler.emulator.profiles.audiences import AudienceStore, definition
from aep_reconciler.emulator.profiles.generate import audiences, source_datasets, write_store
from aep_reconciler.emulator.profiles.storage import Storage

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile_stores (
    tenant TEXT PRIMARY KEY,
    profiles INTEGER NOT NULL,
    events_per_profile INTEGER NOT NULL,
    audiences INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    created INTEGER NOT NULL
);
"""


MAX_PROFILES = 10_000_000
MAX_EVENTS_PER_PROFILE = 1_000
MAX_AUDIENCES = 1_000
MAX_EVENTS = 100_000_000
MAX_SEED = 2**62


@dataclass(frozen=True)
class StoreSize:
    """How big a seeded store is; the demo one is small enough to make on first use."""

    profiles: int = 2000
    events_per_profile: int = 5
    audiences: int = 8
    seed: int = 0
    precedence_policy: bool = True  # add the "Web sign-ups first" merge policy

    def __post_init__(self) -> None:
        if min(self.profiles, self.events_per_profile, self.audiences) < 0:
            raise ValueError("profile, event and audience counts must not be negative")
        # Past these a seed would exhaust memory or overflow DuckDB's BIGINT, not make a store.
        for what, value, most in (
            ("profiles", self.profiles, MAX_PROFILES),
            ("events per profile", self.events_per_profile, MAX_EVENTS_PER_PROFILE),
            ("events", self.profiles * self.events_per_profile, MAX_EVENTS),
            ("audiences", self.audiences, MAX_AUDIENCES),
            ("the seed (either sign)", abs(self.seed), MAX_SEED),
        ):
            if value > most:
                raise ValueError(f"{what} must be at most {most:,}, got {value:,}")


# What a sandbox starts with: its merge policies stay the platform's one default.
DEMO = StoreSize(precedence_policy=False)


def precedence_policy(tenant: str, now_ms: int) -> dict[str, Any]:
    """The seeded second policy: web sign-up fragments win over CRM ones."""
    crm, web = source_datasets(tenant)
    policy = default_policy(tenant, now_ms)
    policy.update(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-merge-policy:{tenant}:precedence")),
        name="Web sign-ups first",
        attributeMerge={"type": "dataSetPrecedence", "order": [web, crm]},
        default=False,
    )
    return policy


class ProfileStore:
    def __init__(self, db: Database, storage: Storage, audiences_store: AudienceStore) -> None:
        self._db = db
        self._storage = storage
        self._audiences = audiences_store
        db.conn.executescript(SCHEMA)

    def folder(self, tenant: str) -> Path:
        return self._storage.profiles(tenant)

    def ensure(self, tenant: str) -> None:
        """A sandbox that has never been seeded gets the demo store on first use."""
        row = self._db.conn.execute(
            "SELECT 1 FROM profile_stores WHERE tenant = ?", (tenant,)
        ).fetchone()
        if row is None:
            self.seed(tenant, DEMO)

    def seed(self, tenant: str, size: StoreSize, now_ms: int | None = None) -> None:
        """Write the store's files, then its audiences and record in one transaction."""
        now = now_ms if now_ms is not None else time.time_ns() // 1_000_000
        org_id, sandbox = tenant.split("/", 1)
        cast = audiences(tenant, size.audiences, size.seed)
        write_store(
            self.folder(tenant), tenant, size.profiles, size.events_per_profile, cast, size.seed
        )
        where = (sandbox_id(tenant), sandbox)
        bodies = [definition(a, org_id, where, DEFAULT_POLICY_ID, now) for a in cast]
        with self._db.transaction() as conn:
            self._audiences.replace(conn, tenant, bodies)
            if (
                conn.execute("SELECT 1 FROM merge_policies WHERE tenant = ?", (tenant,)).fetchone()
                is None
            ):
                MergePolicyStore.add(conn, tenant, default_policy(tenant, now))
            if size.precedence_policy:
                MergePolicyStore.add(conn, tenant, precedence_policy(tenant, now))
            conn.execute(
                "INSERT OR REPLACE INTO profile_stores VALUES (?,?,?,?,?,?)",
                (tenant, size.profiles, size.events_per_profile, size.audiences, size.seed, now),
            )


def seed_profiles(db_path: str, org_id: str, sandbox: str, size: StoreSize) -> str:
    """``emulator seed --profiles``: replace one sandbox's store; a one-line summary."""
    db = Database(db_path)
    storage = Storage(db_path)
    try:
        tenant = f"{org_id}/{sandbox.lower()}"
        ProfileStore(db, storage, AudienceStore(db)).seed(tenant, size)
    finally:
        db.close()
    return (
        f"seeded {size.profiles} profiles with {size.events_per_profile} events each and "
        f"{size.audiences} audiences (seed {size.seed}) into {tenant}"
    )
