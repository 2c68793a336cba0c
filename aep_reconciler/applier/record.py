"""The stack's record of its datasets, kept on its lock dataset: "deleted by hand" vs "new".

A declared dataset that no live dataset matches is either new (never applied) or was
deleted outside reconciler; the platform keeps no trace of a deleted dataset. So after each
apply (and import), under the lease, the lock dataset's tag ``reconciler-datasets`` is set
to ``<manifest name>=<id>`` for every dataset the stack owns. A plan that is about to
create a dataset reads it: a recorded id that is gone was deleted by someone else.

The record only labels a difference (origin ``platform``); it never decides an action, so a
record that could not be written (the apply is finished by then) is left for the next one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aep_reconciler.diagnostics import ApiError
from aep_reconciler.ownership import LOCK_TAG, STACK_TAG, manifest_name, set_tag, tags_of
from aep_reconciler.ports import Applying, Listing

RECORD_TAG = "reconciler-datasets"


def record_entries(owned: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``name=id`` of every owned dataset carrying a manifest name, sorted."""
    return sorted(f"{n}={i}" for i, d in owned.items() if (n := manifest_name(d)))


def recorded(lock: Mapping[str, Any]) -> dict[str, str]:
    """Manifest name -> the id of the dataset the stack had under it after its last apply."""
    found: dict[str, str] = {}
    for entry in tags_of(lock).get(RECORD_TAG, []):
        name, sep, dataset_id = entry.partition("=")
        if sep and name and dataset_id:
            found[name] = dataset_id
    return found


async def read_record(client: Listing, stack: str) -> dict[str, str]:
    """The record on the stack's lock dataset ({} when the stack was never applied)."""
    locks = await client.list_datasets(tags={LOCK_TAG: stack}, properties=("tags", "created"))
    if not locks:
        return {}
    oldest = min(locks, key=lambda i: (locks[i].get("created") or 0, i))  # as the lease picks
    return recorded(locks[oldest])


async def write_record(client: Applying, stack: str, lock_id: str) -> None:
    """Set the record to the datasets the stack owns now (one listing; a PATCH if it moved)."""
    try:
        owned = await client.list_datasets(tags={STACK_TAG: stack}, properties=("tags",))
        locks = await client.list_datasets(tags={LOCK_TAG: stack}, properties=("tags",))
        entries = record_entries(owned)
        if tags_of(locks.get(lock_id, {})).get(RECORD_TAG) != entries:
            await client.json_patch_dataset(lock_id, [set_tag(RECORD_TAG, entries)])
    except ApiError:
        pass  # only a label depends on it (see above); the next apply writes it again
