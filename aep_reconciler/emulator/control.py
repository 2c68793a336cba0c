"""Control routes for test suites (no auth, no faults, under /_emulator): reset the
platform to empty, and dump what it holds.

``POST /_emulator/reset`` deletes every dataset and export job of every tenant; tokens,
merge policies and profile data stay, so clients keep working and ids keep increasing.
``GET /_emulator/state`` answers ``{"nowMs", "tenants": {"ORG/SANDBOX": {"datasets":
{id: dataset}, "jobs": [{"id", "status", "datasetId", "creationTime"}]}}}``, job
statuses brought up to the platform clock first.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from aep_reconciler.emulator.responses import json_response

# The tables that hold what clients create; reset empties exactly these.
CREATED = ("datasets", "dataset_tags", "jobs", "job_cancels")


async def reset(request: Request) -> Response:
    platform = request.app.state.platform
    with platform.db.transaction() as conn:
        removed = {table: conn.execute(f"DELETE FROM {table}").rowcount for table in CREATED}
    return json_response({"removed": {"datasets": removed["datasets"], "jobs": removed["jobs"]}})


async def state(request: Request) -> Response:
    platform = request.app.state.platform
    now = platform.now_ms()
    conn = platform.db.conn
    tenants: dict[str, dict[str, Any]] = {}
    for (tenant,) in conn.execute(
        "SELECT tenant FROM datasets UNION SELECT tenant FROM jobs ORDER BY 1"
    ).fetchall():
        platform.jobs.advance(tenant, now)
        tenants[tenant] = {"datasets": {}, "jobs": []}
    for row in conn.execute("SELECT tenant, id, body FROM datasets ORDER BY tenant, created, id"):
        tenants[row["tenant"]]["datasets"][row["id"]] = json.loads(row["body"])
    for row in conn.execute(
        "SELECT tenant, id, status, dataset_id, creation_ms FROM jobs ORDER BY tenant, id"
    ):
        tenants[row["tenant"]]["jobs"].append(
            {
                "id": row["id"],
                "status": row["status"],
                "datasetId": row["dataset_id"],
                "creationTime": row["creation_ms"],
            }
        )
    return json_response({"nowMs": now, "tenants": tenants})
