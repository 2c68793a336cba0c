"""A small description of the embedded platform's API, written for the fuzzer from aep-api.md
(A.2 to A.4) and Adobe's published paths: each operation, its path parameters, its query
parameters with the kind of value each takes, and the kind of body it reads. It drives
tests/fuzz/test_http.py; Adobe's own OpenAPI files are not copied into the project."""

from __future__ import annotations

from dataclasses import dataclass

CATALOG = "/data/foundation/catalog"
UPS = "/data/core/ups"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # {id} is filled by the fuzzer
    query: dict[str, str]  # name -> kind: "int", "text", "csv", "tags", "order", "cursor"
    body: str | None = None  # "dataset", "patch", "json-patch", "job", "form"


OPERATIONS = (
    Operation("POST", "/ims/token/v3", {}, "form"),
    Operation(
        "GET",
        f"{CATALOG}/dataSets",
        {
            "limit": "int",
            "start": "int",
            "properties": "csv",
            "orderBy": "order",
            "tags": "tags",
            "name": "text",
            "description": "text",
            "property": "text",
            "createdAfter": "int",
            "createdBefore": "int",
        },
    ),
    Operation("POST", f"{CATALOG}/dataSets", {}, "dataset"),
    Operation("GET", f"{CATALOG}/dataSets/{{id}}", {"properties": "csv"}),
    Operation("PATCH", f"{CATALOG}/dataSets/{{id}}", {}, "patch"),
    Operation("PATCH", f"{CATALOG}/dataSets/{{id}}", {}, "json-patch"),
    Operation("PUT", f"{CATALOG}/dataSets/{{id}}", {}, "dataset"),
    Operation("DELETE", f"{CATALOG}/dataSets/{{id}}", {}),
    Operation("GET", f"{UPS}/export/jobs", {"limit": "int", "offset": "cursor", "status": "csv"}),
    Operation("POST", f"{UPS}/export/jobs", {}, "job"),
    Operation("GET", f"{UPS}/export/jobs/{{id}}", {}),
    Operation("DELETE", f"{UPS}/export/jobs/{{id}}", {}),
)
