"""Ownership marks on live objects, and the safety rules that depend on them.

A dataset belongs to a stack when it carries the tag ``reconciler-stack: [<stack>]``; its
manifest name is in ``reconciler-name``. ``reconciler-spec`` holds a digest of each declared
field as last applied, which tells a manifest change from an out-of-band one, per field.
The ``reconciler-job.<name>`` tags are the inventory of the export jobs the stack created into
the dataset (aep_reconciler/inventory.py). Export jobs have no tags: a job belongs to the stack
that owns its destination dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aep_reconciler.fingerprint import canonical_hash
from aep_reconciler.inventory import is_inventory_tag

STACK_TAG = "reconciler-stack"
NAME_TAG = "reconciler-name"
SPEC_TAG = "reconciler-spec"
OWNERSHIP_TAGS = (STACK_TAG, NAME_TAG, SPEC_TAG)
LOCK_TAG = "reconciler-lock"  # marks a stack's lock dataset (applier.lease), never a manifest
FINGERPRINT_CHARS = 16


def is_ownership_tag(key: str) -> bool:
    """Our marks: stack, manifest name, spec digests and the job inventory."""
    return key in OWNERSHIP_TAGS or is_inventory_tag(key)


def tags_of(dataset: Mapping[str, Any]) -> dict[str, list[str]]:
    tags = dataset.get("tags")
    if not isinstance(tags, Mapping):
        return {}
    return {str(k): [str(v) for v in vs] for k, vs in tags.items() if isinstance(vs, list)}


def _first(dataset: Mapping[str, Any], tag: str) -> str | None:
    values = tags_of(dataset).get(tag) or []
    return values[0] if values else None


def owner_stack(dataset: Mapping[str, Any]) -> str | None:
    return _first(dataset, STACK_TAG)


def manifest_name(dataset: Mapping[str, Any]) -> str | None:
    return _first(dataset, NAME_TAG)


PLATFORM_TAGS = frozenset({"unifiedProfile", "unifiedIdentity"})


def is_platform_tag(key: str) -> bool:
    """Tags Adobe writes itself (``adobe*``, profile/identity enablement): never ours to judge."""
    return key.startswith("adobe") or key in PLATFORM_TAGS


def user_tags(tags: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """The tags a manifest declares: no ownership marks, no platform tags, values sorted."""
    if not tags:
        return {}
    return {
        k: sorted(v)
        for k, v in sorted(tags.items())
        if not is_ownership_tag(k) and not is_platform_tag(k)
    }


def platform_tags(tags: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Adobe's own tags on a live dataset: a tag rewrite must carry them over untouched."""
    return {k: list(v) for k, v in (tags or {}).items() if is_platform_tag(k)}


def short_fingerprint(fingerprint: str) -> str:
    return fingerprint[:FINGERPRINT_CHARS]


def field_digests(declared: Mapping[str, Any]) -> dict[str, str]:
    """A short digest of each declared top-level field, as recorded at apply time."""
    return {k: canonical_hash(v)[:8] for k, v in sorted(declared.items())}


def applied_digests(dataset: Mapping[str, Any]) -> dict[str, str]:
    """The per-field digests recorded on a live dataset when it was last applied."""
    found: dict[str, str] = {}
    for entry in tags_of(dataset).get(SPEC_TAG, []):
        key, sep, digest = entry.partition("=")
        if sep:
            found[key] = digest
    return found


def ownership_tags(stack: str, name: str, declared: Mapping[str, Any]) -> dict[str, list[str]]:
    digests = [f"{k}={v}" for k, v in field_digests(declared).items()]
    return {STACK_TAG: [stack], NAME_TAG: [name], SPEC_TAG: digests}


def tag_pointer(key: str) -> str:
    """The JSON Pointer of tag ``key`` (RFC 6901: ``~`` and ``/`` are escaped)."""
    return "/tags/" + key.replace("~", "~0").replace("/", "~1")


def set_tag(key: str, values: Iterable[str]) -> dict[str, Any]:
    """JSON Patch ``add``: creates the tag, or replaces its values (RFC 6902 4.1)."""
    return {"op": "add", "path": tag_pointer(key), "value": list(values)}


def remove_tag(key: str) -> dict[str, Any]:
    return {"op": "remove", "path": tag_pointer(key)}


def tag_ops(
    live: Mapping[str, list[str]], wanted: Mapping[str, list[str]], ours: Iterable[str]
) -> list[dict[str, Any]]:
    """JSON Patch ops that make the tags named in ``ours`` read as in ``wanted``.

    Tags are always written key by key with JSON Patch: whether a field-form PATCH of
    ``tags`` replaces the map or merges into it, Adobe does not say (docs/adobe-fidelity.md),
    and under a merge a removed tag would never go. Keys outside ``ours`` (Adobe's own, other
    tools') are never touched.
    """
    ops: list[dict[str, Any]] = []
    for key in sorted(set(ours)):
        if key in wanted and live.get(key) != list(wanted[key]):
            ops.append(set_tag(key, wanted[key]))
        elif key not in wanted and key in live:
            ops.append(remove_tag(key))
    return ops
