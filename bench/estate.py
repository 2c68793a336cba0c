"""The declared share of a seeded sandbox: ownership tags written via SQL, manifests on disk.

The seed writes foreign datasets only. To give the stack owned datasets with jobs writing
into them (as a real estate has), every k-th seeded dataset gets the stack's ownership tags
(``reconciler-stack``, ``-name``, ``-spec`` digests of exactly what its manifest declares,
no job inventory), so the plan finds them unchanged.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aep_reconciler.ownership import ownership_tags
from aep_reconciler.planner.datasets import declared_view

DECLARED = ("name", "description", "schemaRef", "fileDescription")
USER_TAGS = ("team", "env")


def declared_spec(body: Mapping[str, Any]) -> dict[str, Any]:
    """What a Dataset manifest for this seeded dataset declares."""
    spec = {k: body[k] for k in DECLARED if k in body}
    spec["tags"] = {k: list(v) for k, v in body.get("tags", {}).items() if k in USER_TAGS}
    return spec


def own_datasets(db: Path, tenant: str, stack: str, count: int) -> dict[str, dict[str, Any]]:
    """Tag ``count`` datasets spread over the sandbox as the stack's; manifest name → spec."""
    conn = sqlite3.connect(db)
    try:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM datasets WHERE tenant = ? ORDER BY created, id", (tenant,)
            )
        ]
        step = max(1, len(ids) // max(1, count))
        chosen = ids[::step][:count]
        specs: dict[str, dict[str, Any]] = {}
        with conn:
            for n, dataset_id in enumerate(chosen):
                name = f"owned-{n:05d}"
                specs[name] = _own(conn, tenant, dataset_id, stack, name)
        return specs
    finally:
        conn.close()


def _own(
    conn: sqlite3.Connection, tenant: str, dataset_id: str, stack: str, name: str
) -> dict[str, Any]:
    (raw,) = conn.execute(
        "SELECT body FROM datasets WHERE tenant = ? AND id = ?", (tenant, dataset_id)
    ).fetchone()
    body = json.loads(raw)
    spec = declared_spec(body)
    marks = ownership_tags(stack, name, declared_view(spec, ())[0])
    body["tags"] = {**body.get("tags", {}), **marks}
    conn.execute(
        "UPDATE datasets SET body = ? WHERE tenant = ? AND id = ?",
        (json.dumps(body), tenant, dataset_id),
    )
    conn.executemany(
        "INSERT INTO dataset_tags (tenant, key, value, dataset_id) VALUES (?,?,?,?)",
        [(tenant, key, value, dataset_id) for key, values in marks.items() for value in values],
    )
    return spec


def write_project(root: Path, stack: str, specs: Mapping[str, Mapping[str, Any]]) -> Path:
    """A manifest tree: reconciler.yaml (no targets: the AEP_* variables pick the server)."""
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    (root / "reconciler.yaml").write_text(f"stack: {stack}\n")
    for name, spec in specs.items():
        manifest = {
            "apiVersion": "reconciler/v1",
            "kind": "Dataset",
            "metadata": {"name": name},
            "spec": spec,
        }
        # JSON is YAML: no YAML writer needed, and the loader still reports positions.
        (root / "datasets" / f"{name}.yaml").write_text(json.dumps(manifest, indent=1) + "\n")
    return root


def new_specs(count: int, prefix: str) -> dict[str, dict[str, Any]]:
    """``count`` Dataset specs nobody created yet (the apply benchmark's creates)."""
    return {
        f"{prefix}-{n:05d}": {
            "name": f"Bench dataset {n}",
            "description": "created by the apply benchmark",
            "schemaRef": {
                "id": "https://ns.adobe.com/xdm/context/profile__union",
                "contentType": "application/vnd.adobe.xed+json;version=1",
            },
            "fileDescription": {"persisted": True, "format": "parquet"},
            "tags": {"team": ["bench"]},
        }
        for n in range(count)
    }
