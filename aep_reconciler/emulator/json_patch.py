"""RFC 6902 JSON Patch on a dataset document: the jsonpatch package, within bounds.

A patch applies all or nothing. It is refused (``PatchError``) when malformed or when an
operation cannot apply, and ``PatchTestFailed`` says a ``test`` operation did not match.
Bounds keep a hostile patch cheap: at most MAX_OPERATIONS operations writing at most
MAX_WRITTEN characters of JSON (``copy`` could double a document with each operation),
and a result no deeper than the platform accepts anywhere.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonpatch
import jsonpointer

from aep_reconciler.wire import MAX_DEPTH, nesting_within

# A patch is bounded in operations, in what it may write (a repeated ``copy`` doubles a
# subtree per operation: 40 of them would need terabytes) and in the nesting of its result.
MAX_OPERATIONS = 1000
MAX_WRITTEN = 1024 * 1024  # characters of JSON written by add, replace, copy and move


class PatchError(ValueError):
    """The patch document is malformed, out of bounds, or an operation cannot apply."""


class PatchTestFailed(PatchError):
    """A ``test`` operation did not match: the caller's precondition is stale."""


def pointer(path: str) -> list[str]:
    """Split an RFC 6901 JSON Pointer into unescaped reference tokens."""
    try:
        return list(jsonpointer.JsonPointer(path).parts)
    except jsonpointer.JsonPointerException as exc:
        raise PatchError(f"path {path!r}: {exc}") from None


def _placed(doc: Any, op: Any) -> Any:
    """The value an operation writes into the document, or None when it writes none."""
    if not isinstance(op, dict):
        return None
    if op.get("op") in ("add", "replace"):
        return op.get("value")
    if op.get("op") in ("copy", "move") and isinstance(op.get("from"), str):
        try:
            return jsonpointer.resolve_pointer(doc, op["from"])
        except jsonpointer.JsonPointerException:
            return None  # jsonpatch refuses the operation with the reason
    return None


def apply_patch(doc: Any, operations: Any) -> Any:
    """Apply every operation to a copy of ``doc``; all or nothing, within the bounds above."""
    if not isinstance(operations, list):
        raise PatchError("a JSON Patch document is an array of operations")
    if len(operations) > MAX_OPERATIONS:
        raise PatchError(f"more than {MAX_OPERATIONS} operations")
    result = copy.deepcopy(doc)
    budget = MAX_WRITTEN
    for op in operations:
        budget -= len(json.dumps(_placed(result, op)))
        if budget < 0:
            raise PatchError(f"the operations write more than {MAX_WRITTEN} characters of JSON")
        try:
            result = jsonpatch.apply_patch(result, [op], in_place=True)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise PatchTestFailed(f"test failed at {op.get('path')!r}: {exc}") from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise PatchError(str(exc)) from None
    if not nesting_within(result):
        raise PatchError(f"the result nests deeper than {MAX_DEPTH} levels")
    return result


def written_roots(operations: list[Any]) -> set[str]:
    """The top-level members a patch changes (``test`` and a copy's source only read)."""
    roots: set[str] = set()
    for op in operations:
        if not isinstance(op, dict) or op.get("op") == "test":
            continue
        keys = ("path", "from") if op.get("op") == "move" else ("path",)
        for key in keys:
            value = op.get(key)
            if isinstance(value, str):
                tokens = pointer(value)
                roots.add(tokens[0] if tokens else "")
    return roots
