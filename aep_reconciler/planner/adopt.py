"""Adopting a live dataset (pure): its manifest document, the ownership check, the ADOPT change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aep_reconciler.inventory import is_inventory_tag
from aep_reconciler.ownership import (
    manifest_name,
    owner_stack,
    ownership_tags,
    platform_tags,
    tags_of,
    user_tags,
)
from aep_reconciler.plan import Action, Change
from aep_reconciler.planner.datasets import declared_view, live_view
from aep_reconciler.planner.diffing import changed_paths
from aep_reconciler.resources import API_VERSION, DATASET, ResourceKey, is_reserved_tag
from aep_reconciler.wire import FileDescription, SchemaRef

# The writable dataset fields a generated manifest declares, in the order specs/ writes them.
MANIFEST_FIELDS = ("name", "description", "schemaRef", "fileDescription", "tags")
IMPORTED = "imported"


def refusal(live: Mapping[str, Any], stack: str, name: str) -> str:
    """Why ``live`` cannot be adopted as ``name`` by ``stack`` ("" when it can, or is already)."""
    owner = owner_stack(live)
    if owner is not None and owner != stack:
        return f"it is managed by stack {owner}; only that stack can change it"
    current = manifest_name(live)
    if owner == stack and current is not None and current != name:
        return f"stack {stack} already manages it as {current}"
    return ""  # a dataset of ours whose name tag was lost can be claimed again


def already_adopted(live: Mapping[str, Any], stack: str, name: str) -> bool:
    return owner_stack(live) == stack and manifest_name(live) == name


def _known(value: Any, model: Any) -> dict[str, Any]:
    """Only the keys a manifest model accepts (the real platform adds fields of its own)."""
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k in model.model_fields and v is not None}


def manifest_spec(live: Mapping[str, Any]) -> dict[str, Any]:
    """The live writable fields as a Dataset manifest's ``spec`` (no reserved tags)."""
    spec: dict[str, Any] = {}
    for key in MANIFEST_FIELDS:
        value = live.get(key)
        if key == "schemaRef":
            value = _known(value, SchemaRef)
        elif key == "fileDescription":
            value = _known(value, FileDescription)
        elif key == "tags":
            value = {
                k: sorted(v) for k, v in sorted(tags_of(live).items()) if not is_reserved_tag(k)
            }
        if value not in (None, {}, ""):
            spec[key] = value
    return spec


def manifest_document(name: str, live: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": DATASET,
        "metadata": {"name": name},
        "spec": manifest_spec(live),
    }


def mismatches(
    body: Mapping[str, Any], live: Mapping[str, Any], ignore: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]:
    """(declared, live view, differing paths): the comparison the planner makes."""
    declared = declared_view(body, ignore)[0]
    view = live_view(live, declared, ignore)
    return declared, view, changed_paths(view, declared)


def adopt_change(
    stack: str,
    name: str,
    dataset_id: str,
    live: Mapping[str, Any],
    declared: Mapping[str, Any],
    jobs: Mapping[str, list[str]] | None = None,
) -> Change:
    """The tag rewrite that puts ``live`` under the stack, keeping Adobe's and the user's tags.

    The job inventory keeps what is left of it and gains ``jobs`` (an intent for each job
    declared into it that has no tag yet), so a dataset whose tags were lost gets its jobs
    back as the stack's: each intent claims the job whose answers show its request.
    """
    current = tags_of(live)
    kept = {k: v for k, v in current.items() if is_inventory_tag(k)}
    tags = {
        **platform_tags(current),
        **user_tags(current),
        **ownership_tags(stack, name, declared),
        **{k: v for k, v in (jobs or {}).items() if k not in kept},
        **kept,
    }
    return Change(
        ResourceKey(DATASET, name),
        Action.ADOPT,
        IMPORTED,
        id=dataset_id,
        before={"tags": tags_of(live)},
        after={"tags": tags},
        paths=("tags",),
    )
