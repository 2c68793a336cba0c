"""Saved plans: what ``plan --out`` writes and ``apply --plan`` reads, checks and consumes.

The file holds the plan, the desired state it was computed from (so apply executes what
was reviewed even if the manifests changed since), the options, and a fingerprint of every
live object read. It never holds a credential: apply resolves those again.

The checksum is an HMAC-SHA256 of everything in the file but the applied mark, the plan's
target, stack and endpoint included, so a plan can only be applied where it was made. With
``RECONCILER_PLAN_KEY`` set (a workflow secret shared by the plan and apply jobs) nobody
without the key can edit a plan and fix its checksum; without it the key is public and the
checksum only catches accidents. A keyed apply refuses an unkeyed plan and the other way
round.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aep_reconciler.diagnostics import PlanError, SourceRange
from aep_reconciler.files import write_atomically
from aep_reconciler.fingerprint import canonical_json
from aep_reconciler.plan import Plan, PlanOptions
from aep_reconciler.redaction import REDACTOR
from aep_reconciler.resources import (
    DATASET,
    DesiredDataset,
    DesiredExportJob,
    Lifecycle,
    ManifestSet,
    ResourceKey,
)

FILE_FORMAT = "reconciler-saved-plan/2"
KEY_ENV = "RECONCILER_PLAN_KEY"
_PUBLIC_KEY = b"reconciler-saved-plan, unkeyed"


def plan_key(env: Mapping[str, str]) -> bytes | None:
    """The secret key saved plans are sealed with, or None when the environment has none."""
    key = env.get(KEY_ENV, "")
    return key.encode() if key else None


def _seal(payload: Mapping[str, Any], key: bytes | None) -> str:
    return hmac.new(key or _PUBLIC_KEY, canonical_json(payload).encode(), "sha256").hexdigest()


@dataclass(frozen=True)
class SavedPlan:
    plan_id: str
    plan: Plan
    manifests: ManifestSet
    options: PlanOptions
    created_at: float
    applied_at: float | None = None


def _lifecycle(lc: Lifecycle) -> dict[str, Any]:
    return {
        "ignore_fields": list(lc.ignore_fields),
        "recreate_on_failure": lc.recreate_on_failure,
        "prevent_destroy": lc.prevent_destroy,
    }


def _resource(item: DesiredDataset | DesiredExportJob) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": item.key.kind,
        "name": item.key.name,
        "body": item.body,
        "source": str(item.source),
        "lifecycle": _lifecycle(item.lifecycle),
    }
    if isinstance(item, DesiredExportJob):
        out["dataset"] = item.dataset
    return out


def _source(text: str) -> SourceRange:
    file, _, rest = text.partition(":")
    line, _, col = rest.partition(":")
    return SourceRange(file, int(line or 0), int(col or 0))


def _desired(data: Mapping[str, Any]) -> DesiredDataset | DesiredExportJob:
    lc = data["lifecycle"]
    lifecycle = Lifecycle(
        tuple(lc["ignore_fields"]), bool(lc["recreate_on_failure"]), bool(lc["prevent_destroy"])
    )
    key = ResourceKey(data["kind"], data["name"])
    if data["kind"] == DATASET:
        return DesiredDataset(key, data["body"], _source(data["source"]), lifecycle)
    return DesiredExportJob(
        key, data["body"], data.get("dataset"), _source(data["source"]), lifecycle
    )


def _payload(saved: SavedPlan) -> dict[str, Any]:
    items: tuple[DesiredDataset | DesiredExportJob, ...] = (
        *saved.manifests.datasets,
        *saved.manifests.export_jobs,
    )
    options = dataclasses.asdict(saved.options)
    options["ignore_fields"] = {k: list(v) for k, v in saved.options.ignore_fields.items()}
    options["only"] = [str(k) for k in saved.options.only]
    options["replace"] = [str(k) for k in saved.options.replace]
    options["acknowledged"] = list(saved.options.acknowledged)
    return {
        "plan_id": saved.plan_id,
        "created_at": saved.created_at,
        "plan": saved.plan.to_json(),
        "desired": [_resource(i) for i in items],
        "files": list(saved.manifests.files),
        "options": options,
    }


def new_saved_plan(plan: Plan, manifests: ManifestSet, options: PlanOptions) -> SavedPlan:
    return SavedPlan(uuid.uuid4().hex, plan, manifests, options, time.time())


def write(path: Path, saved: SavedPlan, key: bytes | None = None) -> None:
    # live values in the plan come from the platform, which may echo a secret back
    payload = REDACTOR.value(_payload(saved))
    document = {
        "format": FILE_FORMAT,
        "checksum": _seal(payload, key),
        "keyed": key is not None,
        "applied_at": saved.applied_at,
        **payload,
    }
    write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


_UNSEALED = ("format", "checksum", "keyed", "applied_at")


def read(path: Path, key: bytes | None = None) -> SavedPlan:
    """The saved plan at ``path``, checked against ``key``; PlanError for anything else."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PlanError(f"{path}: not a readable saved plan ({type(exc).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise PlanError(f"{path}: not a saved plan of this reconciler (format {FILE_FORMAT})")
    if document.get("keyed") is not (key is not None):
        made, here = ("with", "without") if document.get("keyed") else ("without", "with")
        raise PlanError(f"{path} was sealed {made} {KEY_ENV} and is applied {here} it")
    payload = {k: v for k, v in document.items() if k not in _UNSEALED}
    try:
        sealed = _seal(payload, key)
    except (TypeError, ValueError, RecursionError):
        sealed = ""
    if not hmac.compare_digest(sealed, str(document.get("checksum", ""))):
        raise PlanError(f"{path}: the saved plan was modified after it was written")
    try:
        desired = [_desired(d) for d in payload["desired"]]
        opts = dict(payload["options"])
        for keys in ("only", "replace"):
            opts[keys] = tuple(ResourceKey.parse(k) for k in opts.get(keys, ()))
        opts["ignore_fields"] = {k: tuple(v) for k, v in opts.get("ignore_fields", {}).items()}
        opts["acknowledged"] = tuple(str(i) for i in opts.get("acknowledged", ()))
        return SavedPlan(
            plan_id=payload["plan_id"],
            plan=Plan.from_json(payload["plan"]),
            manifests=ManifestSet(
                tuple(d for d in desired if isinstance(d, DesiredDataset)),
                tuple(d for d in desired if isinstance(d, DesiredExportJob)),
                tuple(payload.get("files", ())),
            ),
            options=PlanOptions(**opts),
            created_at=float(payload["created_at"]),
            applied_at=document.get("applied_at"),
        )
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise PlanError(f"{path}: the saved plan is incomplete ({type(exc).__name__})") from None


def mark_applied(path: Path, saved: SavedPlan, key: bytes | None = None) -> None:
    """Consume the file before applying: the same saved plan can never run twice."""
    write(path, dataclasses.replace(saved, applied_at=time.time()), key)


def moved_objects(saved: Plan, fresh: Plan) -> list[str]:
    """Live objects whose fingerprint changed, appeared or vanished since the plan was made."""
    before, after = saved.observation.objects, fresh.observation.objects
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))


def check_fresh(saved: SavedPlan, fresh: Plan) -> None:
    """Refuse a saved plan when the platform moved in a way that matters to it.

    The fresh plan is computed from the saved desired state; if it would do anything
    different, or an object a change acts on moved, the saved plan is stale.
    """
    moved = moved_objects(saved.plan, fresh)
    acted = {f"{c.kind}/{c.id}" for c in saved.plan.actionable if c.id}
    acted |= {f"ExportJob/{i}" for c in saved.plan.actionable for i in c.cancel_ids}
    touched = [m for m in moved if m in acted]
    if fresh.digest() != saved.plan.digest() or touched:
        names = ", ".join(moved[:20]) + (f" and {len(moved) - 20} more" if len(moved) > 20 else "")
        raise PlanError(
            "the saved plan is stale: the platform changed since it was made"
            + (f" ({names})" if names else "")
            + "; run plan again and review the new plan"
        )
