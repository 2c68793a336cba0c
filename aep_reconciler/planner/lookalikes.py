"""Live datasets that look like a declaration about to be created (pure).

A dataset the stack made can lose its ownership tags: a field-form PATCH of ``tags`` by
hand or by another tool may replace the whole map. The stack's tag filter then no longer
finds it and the plan would create a second one, exporting everything again. Before a
create, the planner looks among the datasets carrying the declaration's display name (one
listing for every create, ``live.find_lookalikes``) and among the stack's own datasets for
one with the same name, schema and file format that nobody else owns and no manifest
claims.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

from aep_reconciler.live import LiveState
from aep_reconciler.ownership import manifest_name, owner_stack
from aep_reconciler.planner.diffing import project


@dataclass(frozen=True)
class Lookalike:
    id: str
    dataset: Mapping[str, Any]
    stack_name: str | None  # the manifest name it is still tagged with by this stack, if any

    def why(self, manifest: str) -> str:
        """What blocks the create, and the two ways forward."""
        shown = f'dataset "{self.dataset.get("name")}" already exists ({self.id})'
        if self.stack_name is not None:
            return (
                f"{shown} as Dataset/{self.stack_name}, which no manifest declares: list "
                f"{self.stack_name} in metadata.previousNames, or `--allow-duplicate`"
            )
        return (
            f"{shown}, its ownership tags are gone: `reconciler import Dataset {manifest} "
            f"{self.id}` or `--allow-duplicate`"
        )


# Fixed at creation: a dataset the stack made carries them exactly as declared, whatever
# happened to its tags. A namesake on another schema or file format is someone else's.
CREATION_FIELDS = ("schemaRef", "fileDescription")


def looks_like(dataset: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """Same display name, and the declared schemaRef and fileDescription (defaults the
    platform filled in aside)."""
    if dataset.get("name") != body.get("name"):
        return False
    return all(
        project(dataset.get(key), body[key]) == body[key] for key in CREATION_FIELDS if key in body
    )


def _unaccounted(
    dataset: Mapping[str, Any], stack: str, declared: Set[str]
) -> tuple[bool, str | None]:
    """(nobody holds it, the manifest name this stack still tags it with)."""
    owner = owner_stack(dataset)
    if owner is None:
        return True, None  # no stack tag at all: a name tag left behind is no claim
    if owner != stack:
        return False, None  # another stack's dataset of the same name: theirs
    name = manifest_name(dataset)
    return name not in declared, name


def find_lookalike(
    body: Mapping[str, Any], live: LiveState, stack: str, declared: Set[str]
) -> Lookalike | None:
    """The oldest live dataset with ``body``'s display name and schema that is not accounted
    for: no stack tag, or this stack's tags without a declared manifest name."""
    found = []
    for candidates in (live.lookalikes, live.datasets):
        for dataset_id, dataset in candidates.items():
            if not looks_like(dataset, body):
                continue
            lost, name = _unaccounted(dataset, stack, declared)
            if lost:
                found.append(Lookalike(dataset_id, dataset, name))
    if not found:
        return None
    return min(found, key=lambda f: (f.dataset.get("created") or 0, f.id))
