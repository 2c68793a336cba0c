"""Fuzz operations read from Adobe's own OpenAPI files, when this machine has them.

The project never copies Adobe's files (the guide forbids it); a developer's checkout sits
next to them (``../shared/adobe-openapi``, or ``$RECONCILER_ADOBE_OPENAPI``). When present,
every operation they describe that the embedded platform serves becomes a fuzz operation
with every query parameter Adobe documents for it, typed as Adobe types it, so the fuzzer
also sends what Adobe's clients may send and our own description does not name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from aep_reconciler.emulator.app import ROUTES
from tests.fuzz.api_description import Operation

ROOT = Path(__file__).resolve().parents[2]
FILES = {"catalog.yaml": "/data/foundation/catalog", "segmentation.yaml": "/data/core/ups"}
HEADERS = {"authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "content-type"}
BODIES = {
    ("POST", "/data/foundation/catalog/dataSets"): "dataset",
    ("PUT", "/data/foundation/catalog/dataSets/{id}"): "dataset",
    ("PATCH", "/data/foundation/catalog/dataSets/{id}"): "patch",
    ("POST", "/data/core/ups/export/jobs"): "job",
}


def folder() -> Path:
    return Path(
        os.environ.get("RECONCILER_ADOBE_OPENAPI", ROOT.parent / "shared" / "adobe-openapi")
    )


def available() -> bool:
    return all((folder() / name).is_file() for name in FILES)


def _served() -> set[tuple[str, str]]:
    out = set()
    for route in ROUTES:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD":
                out.add((method, route.path.rstrip("/")))
    return out


def _kind(schema: Any) -> str:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return {"integer": "int", "number": "int", "boolean": "text"}.get(str(kind), "text")


def _parameter(spec: Any, document: Any) -> Any:
    ref = spec.get("$ref") if isinstance(spec, dict) else None
    if isinstance(ref, str) and ref.startswith("#/"):
        node = document
        for step in ref[2:].split("/"):
            node = node[step]
        return node
    return spec


def operations() -> list[Operation]:
    """Adobe's operations that the embedded platform serves (empty without the files)."""
    if not available():
        return []
    served = _served()
    found: list[Operation] = []
    for name, base in FILES.items():
        document = YAML(typ="safe").load((folder() / name).read_text())
        for raw_path, item in document["paths"].items():
            path = base + re.sub(r"\{[^}]+\}", "{id}", raw_path)
            shared = item.get("parameters", [])
            for method, op in item.items():
                if (method.upper(), path) not in served or not isinstance(op, dict):
                    continue
                query = {}
                for spec in [*shared, *op.get("parameters", [])]:
                    param = _parameter(spec, document)
                    if param.get("in") == "query" and param.get("name") not in HEADERS:
                        query[str(param["name"])] = _kind(param.get("schema"))
                body = BODIES.get((method.upper(), path))
                found.append(Operation(method.upper(), path, query, body))
    return found
