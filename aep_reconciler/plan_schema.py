"""The JSON Schema (draft 2020-12) of a plan's JSON (``plan --format json``, ``show``).

Published as ``specs/schemas/plan.schema.json`` beside the manifest schema; a test keeps
the file current and checks real plans against it. Minor format versions only add keys,
so objects stay open (``additionalProperties`` is not false): a consumer written for 1.2
reads 1.3.
"""

from __future__ import annotations

from typing import Any

from aep_reconciler.plan import FORMAT_VERSION, Action, FindingType, Origin

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_COUNT = {"type": "integer", "minimum": 0}
_BODY = {"type": ["object", "null"], "description": "field values; null when absent"}
_KEY = {"type": "string", "pattern": "^(Dataset|ExportJob)/.+$"}


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": sorted(properties),
        "properties": properties,
    }


def _change() -> dict[str, Any]:
    return _object(
        {
            "kind": {"enum": ["Dataset", "ExportJob"]},
            "name": _STRING,
            "id": {"type": ["string", "null"], "description": "the live object acted on"},
            "action": {"enum": [a.value for a in Action]},
            "reason": _STRING,
            "origin": {"enum": [o.value for o in Origin]},
            "before": _BODY,
            "after": {**_BODY, "description": "the body to send (create) or the patch (update)"},
            "paths": _STRINGS,
            "depends_on": {"type": "array", "items": _KEY},
            "cancel_ids": _STRINGS,
            "known_job_ids": _STRINGS,
            "dataset_patch": {"type": "array", "items": {"type": "object"}},
            "if_match": {"type": ["string", "null"]},
            "blocked": {"type": "string", "description": "non-empty: refused by a safety rule"},
            "undeclared": {"type": "boolean", "description": "no manifest declares it any more"},
            "moved_from": {
                "type": ["string", "null"],
                "description": "the Kind/name it had before a rename",
            },
            "inventory": {
                **_STRINGS,
                "description": "an ExportJob create: its inventory tag's values, intent last",
            },
            "patch_dataset_id": {
                "type": ["string", "null"],
                "description": "the dataset dataset_patch goes to",
            },
            "next_due_ms": {
                "type": ["integer", "null"],
                "description": "an up-to-date recurring export: when its next job falls due "
                "(platform clock, ms since the epoch)",
            },
        },
        "One change the applier will make (or, when blocked, will not).",
    )


def _finding() -> dict[str, Any]:
    return _object(
        {
            "kind": {"enum": ["Dataset", "ExportJob"]},
            "name": _STRING,
            "id": {"type": ["string", "null"]},
            "type": {"enum": [t.value for t in FindingType]},
            "origin": {"enum": [o.value for o in Origin]},
            "paths": _STRINGS,
            "detail": _STRING,
            "live": _BODY,
            "declared": _BODY,
        },
        "One difference between git and the platform.",
    )


def _resolved() -> dict[str, Any]:
    return {
        "type": "array",
        "description": "names in manifests resolved to ids in the target sandbox (optional)",
        "items": _object(
            {"kind": _STRING, "name": _STRING, "path": _STRING, "reference": _STRING,
             "id": _STRING},
            "One merge policy or audience name and the id it has in the target sandbox.",
        ),
    }  # fmt: skip


def plan_schema() -> dict[str, Any]:
    major = FORMAT_VERSION.split(".")[0]
    summary_keys = [a.value for a in Action] + ["blocked", "drift", "undeclared", "moved"]
    properties = {
        "format_version": {"type": "string", "pattern": rf"^{major}\.[0-9]+$"},
        "reconciler_version": {"type": "string", "description": "the version that made it"},
        "timestamp": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "when the plan was made (UTC)",
        },
        "stack": _STRING,
        "target": _STRING,
        "endpoint": {
            "type": ["object", "null"],
            "description": "where the plan was made: platform, org, sandbox",
        },
        "scope": {
            "type": "array",
            "items": _KEY,
            "description": "--only: the objects planned; empty = the whole stack",
        },
        "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}},
        "drift": {
            "type": "array",
            "items": {"$ref": "#/$defs/finding"},
            "description": "the findings made on the platform outside reconciler",
        },
        "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
        "summary": _object({k: _COUNT for k in summary_keys}, "changes counted by action"),
        "observed": _object(
            {
                "datasets": _COUNT,
                "export_jobs": _COUNT,
                "requests": _COUNT,
                "seconds": {"type": "number", "minimum": 0},
                "objects": {"type": "object", "additionalProperties": _STRING},
            },
            "what the plan read, and a fingerprint of every live object in scope",
        ),
        "ignored": {"type": "object", "additionalProperties": _COUNT},
    }
    description = (
        f"The JSON of a reconciler plan, format {major}.x (reconciler plan --format json, "
        "reconciler show --format json)."
    )
    schema = _object(properties, description)
    schema["properties"]["resolved"] = _resolved()  # present only when a name was resolved
    schema["properties"]["notes"] = {  # present only when there is one
        "type": "array",
        "items": _STRING,
        "description": "remarks for people, never a reason to act (optional)",
    }
    return {
        "$schema": DRAFT,
        "title": "reconciler plan",
        **schema,
        "$defs": {"change": _change(), "finding": _finding()},
    }
