"""Bulk-fill a platform database with realistic datasets and export jobs in every status."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_ORG_ID
from aep_reconciler.emulator.database import Database
from aep_reconciler.emulator.datasets import DEFAULT_CLASSIFICATION, is_profile_ready, sandbox_id
from aep_reconciler.emulator.lifecycle import ERROR_NOT_PROFILE_READY
from aep_reconciler.emulator.merge_policies import DEFAULT_POLICY_ID
from aep_reconciler.emulator.profiles.generate import audiences
from aep_reconciler.emulator.profiles.store import DEMO
from aep_reconciler.emulator.sandboxes import SandboxStore
from aep_reconciler.wire import PROFILE_UNION_SCHEMA, XED_CONTENT_TYPE

DAY_MS = 86_400_000
_TEAMS = ("growth", "crm", "analytics", "loyalty", "support")
_PURPOSES = ("profile-export", "email-audience", "churn-scores", "web-events", "orders")
_ENVS = ("dev", "stage", "prod")


@dataclass
class SeedSummary:
    tenant: str
    datasets: int = 0
    jobs: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        return f"seeded {self.datasets} datasets and {self.jobs} export jobs into {self.tenant}" + (
            f" ({by_status})" if by_status else ""
        )


def _dataset(
    rng: random.Random, i: int, org: str, sandbox: str, now: int
) -> tuple[str, dict[str, Any]]:
    doc_id = rng.randbytes(12).hex()
    team, purpose = rng.choice(_TEAMS), rng.choice(_PURPOSES)
    profile = i % 3 == 0
    schema = PROFILE_UNION_SCHEMA if profile else f"https://ns.adobe.com/acme/schemas/{purpose}"
    created = now - rng.randrange(1, 90 * DAY_MS)
    tags: dict[str, list[str]] = {"team": [team], "env": [rng.choice(_ENVS)]}
    if profile:
        tags["unifiedProfile"] = ["enabled:true"]
    user = f"{DEFAULT_CLIENT_ID}@AdobeID"
    return doc_id, {
        "name": f"{team}-{purpose}-{i:06d}",
        "description": f"Seeded {purpose} dataset of the {team} team",
        "tags": tags,
        "schemaRef": {"id": schema, "contentType": XED_CONTENT_TYPE},
        "fileDescription": {"persisted": profile or rng.random() < 0.5, "format": "parquet"},
        "version": "1.0.0",
        "created": created,
        "updated": created,
        "createdUser": user,
        "createdClient": DEFAULT_CLIENT_ID,
        "updatedUser": user,
        "imsOrg": org,
        "sandboxId": sandbox_id(f"{org}/{sandbox}"),
        "state": "ACTIVE",
        "classification": dict(DEFAULT_CLASSIFICATION),
        "files": f"@/dataSetFiles?dataSetId={doc_id}",
        "basePath": f"adl://aep-{sandbox}.azuredatalakestore.net/platform/{doc_id}",
        "viewId": rng.randbytes(12).hex(),
    }


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _uuid(rng: random.Random) -> str:
    h = _hex(rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# Job JSON is formatted from templates: json.dumps per row would dominate a 100,000-job seed.
_BODY = (
    '{"jobType":"BATCH","fields":"identities.id,personalEmail.address",'
    f'"mergePolicy":{{"id":"{DEFAULT_POLICY_ID}","version":1}},'
    '"filter":{"segments":[{"segmentId":"%s","segmentNs":"ups","status":["realized","existing"]}]},'
    '"destination":{"datasetId":"%s","segmentPerBatch":false},'
    '"schema":{"name":"_xdm.context.profile"},"evaluationInfo":{"segmentation":false},'
    '"imsOrgId":%s,"profileInstanceId":"ups","creationTime":%d,"requestId":"%s"}'
)
_GATEWAY = '{"computeGatewayJobId":{"exportJob":"%s","pushJob":"%s"},'
_SUCCEEDED = _GATEWAY + '"batchId":"%s"}'
_FAILED = _GATEWAY + '"errors":' + json.dumps([ERROR_NOT_PROFILE_READY]) + "}"


def _timeline(rng: random.Random, now: int, outcome: str) -> tuple[int, int, int, int, str]:
    """(creation, start, end, update, status): ~10% queued, ~20% running, the rest done."""
    roll = rng.random()
    if roll < 0.1:
        creation = now - 1 - int(rng.random() * 3_600_000)
        return creation, now + DAY_MS, now + DAY_MS + 300_000, creation, "NEW"
    if roll < 0.3:
        creation = now - 60_000 - int(rng.random() * 3_540_000)
        return creation, creation + 30_000, now + DAY_MS, creation + 30_000, "PROCESSING"
    creation = now - 3_600_000 - int(rng.random() * 59 * DAY_MS)
    start = creation + 5_000 + int(rng.random() * 115_000)
    end = start + 30_000 + int(rng.random() * 1_770_000)
    return creation, start, end, end, outcome


def _job_row(
    rng: random.Random,
    tenant: str,
    org_json: str,
    dataset: tuple[str, bool],
    now: int,
    segments: tuple[str, ...],
) -> tuple[Any, ...]:
    dataset_id, ready = dataset
    outcome = "SUCCEEDED" if ready else "FAILED"
    creation, start, end, update, status = _timeline(rng, now, outcome)
    segment = segments[int(rng.random() * len(segments))]
    body = _BODY % (segment, dataset_id, org_json, creation, _uuid(rng))
    if ready:
        result = _SUCCEEDED % (_uuid(rng), _uuid(rng), _hex(rng))
    else:
        result = _FAILED % (_uuid(rng), _uuid(rng))
    return (tenant, creation, start, end, update, status, outcome, dataset_id, body, result)


def _write(
    db_path: str, tenant: str, docs: list[tuple[str, dict[str, Any]]], rows: list[tuple[Any, ...]]
) -> None:
    """Bulk inserts in one transaction: executemany, tags expanded by SQLite's json_each."""
    db = Database(db_path)
    db.conn.execute("PRAGMA cache_size=-131072")  # index builds of 100,000 rows stay in memory
    try:
        with db.transaction() as conn:
            conn.executemany(
                "INSERT INTO datasets (tenant, id, name, created, updated, body)"
                " VALUES (?,?,?,?,?,?)",
                [
                    (tenant, i, d["name"], d["created"], d["updated"], json.dumps(d))
                    for i, d in docs
                ],
            )
            conn.executemany(
                "INSERT INTO dataset_tags (tenant, key, value, dataset_id)"
                " SELECT ?, j.key, v.value, ? FROM json_each(?) j, json_each(j.value) v",
                [(tenant, i, json.dumps(d["tags"])) for i, d in docs],
            )
            conn.executemany(
                "INSERT INTO jobs (tenant, creation_ms, start_ms, end_ms, update_ms, status,"
                " outcome, dataset_id, body, result) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
        org_id, _, sandbox = tenant.partition("/")
        SandboxStore(db).add([org_id], [sandbox])  # seeding a sandbox creates it
    finally:
        db.close()


MAX_SEEDED = 1_000_000  # each is built in memory before the one transaction


def seed_database(
    db_path: str,
    datasets: int,
    jobs: int,
    org_id: str = DEFAULT_ORG_ID,
    sandbox: str = "prod",
    *,
    now_ms: int | None = None,
    seed: int = 0,
) -> SeedSummary:
    """Write ``datasets`` datasets and ``jobs`` jobs for (org, sandbox) in one transaction."""
    if datasets < 0 or jobs < 0:
        raise ValueError("counts must not be negative")
    if max(datasets, jobs) > MAX_SEEDED:
        raise ValueError(f"at most {MAX_SEEDED:,} datasets and {MAX_SEEDED:,} jobs per seed")
    if jobs and not datasets:
        raise ValueError("jobs need at least one dataset to write into")
    sandbox = sandbox.lower()
    tenant, now = f"{org_id}/{sandbox}", now_ms if now_ms is not None else time.time_ns() // 10**6
    rng = random.Random(seed)
    docs = [_dataset(rng, i, org_id, sandbox, now) for i in range(datasets)]
    targets = [(doc_id, is_profile_ready(doc)) for doc_id, doc in docs]
    org_json = json.dumps(org_id)
    # Jobs name the audiences the sandbox has (the demo store's, made on first use), as a
    # platform's jobs do: a plan checks that the audiences a manifest names exist.
    segments = tuple(a.id for a in audiences(tenant, DEMO.audiences, DEMO.seed))
    rows = [
        _job_row(rng, tenant, org_json, rng.choice(targets), now, segments) for _ in range(jobs)
    ]
    rows.sort(key=lambda r: (r[1], r[0]))  # ids grow with creation time, as on a real platform
    _write(db_path, tenant, docs, rows)
    return SeedSummary(tenant, datasets, jobs, Counter(r[5] for r in rows))
