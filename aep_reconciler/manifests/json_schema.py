"""JSON Schema (draft 2020-12) of a manifest document and of reconciler.yaml, for editors and CI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from aep_reconciler.manifests.project_model import ProjectModel
from aep_reconciler.plan_schema import plan_schema
from aep_reconciler.resources import MANIFEST_MODELS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_VARIABLE = {"type": "string", "pattern": r"^\$\{var\.[A-Za-z_][A-Za-z0-9_-]*\}$"}
_NON_STRING = ("integer", "number", "boolean")


def _allow_variables(node: Any) -> Any:
    """Let every number and boolean be written as a whole ``${var.NAME}`` instead."""
    if isinstance(node, list):
        return [_allow_variables(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _allow_variables(v) for k, v in node.items()}
    if out.get("type") in _NON_STRING:
        keep = {k: out.pop(k) for k in ("title", "description", "default") if k in out}
        return {**keep, "anyOf": [out, dict(_VARIABLE)]}
    return out


def _schema_of(models: list[type[BaseModel]], title: str, description: str) -> dict[str, Any]:
    refs, defs = models_json_schema(
        [(m, "validation") for m in models], ref_template="#/$defs/{model}"
    )
    schema: dict[str, Any] = {"$schema": DRAFT, "title": title, "description": description}
    if len(models) == 1:
        only = refs[(models[0], "validation")]
        schema.update({"$ref": only["$ref"]})
    else:
        schema["oneOf"] = [refs[(m, "validation")] for m in models]
    schema["$defs"] = defs.get("$defs", {})
    return schema


def manifest_schema(kind: str | None = None) -> dict[str, Any]:
    """The schema of one manifest document: ``kind`` only, or oneOf every kind."""
    kinds = [kind] if kind else sorted(MANIFEST_MODELS)
    models: list[type[BaseModel]] = [MANIFEST_MODELS[k] for k in kinds]
    title = f"reconciler {kind} manifest" if kind else "reconciler manifest"
    description = (
        "A reconciler/v1 manifest document. Values are checked as written: a number or boolean "
        "may also be a whole ${var.NAME}."
    )
    schema: dict[str, Any] = _allow_variables(_schema_of(models, title, description))
    return schema


def project_schema() -> dict[str, Any]:
    """The schema of reconciler.yaml."""
    return _schema_of([ProjectModel], "reconciler project", "reconciler.yaml: stack and targets.")


def published_schemas() -> dict[str, dict[str, Any]]:
    """specs/schemas/: file name → schema (what ``reconciler init`` writes)."""
    return {
        "manifest.schema.json": manifest_schema(),
        "reconciler.schema.json": project_schema(),
        "plan.schema.json": plan_schema(),
    }
