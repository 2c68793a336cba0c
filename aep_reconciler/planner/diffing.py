"""Field-level differences between declared and live values (the one deepdiff importer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def project(live: Any, shape: Any) -> Any:
    """The part of ``live`` that ``shape`` declares: nested mappings keep only declared keys.

    Fields the platform fills in (defaults in ``fileDescription``, read-only fields) are not
    differences unless the manifest declares them; this is what keeps plans from showing
    permanent diffs.
    """
    if isinstance(shape, Mapping) and isinstance(live, Mapping):
        return {k: project(live.get(k), v) for k, v in shape.items() if k in live}
    return live


def changed_paths(before: Any, after: Any) -> tuple[str, ...]:
    """Dotted paths (``tags.team``, ``filter.segments[0].status``) where the two differ.

    List order never counts: every list in these APIs is a set.
    """
    if _canonical(before) == _canonical(after):
        return ()  # the common case of a plan in sync: no need to load deepdiff at all
    from deepdiff import DeepDiff  # slow to import (it pulls in numpy/pandas when present)

    diff = DeepDiff(before, after, ignore_order=True, view="tree", threshold_to_diff_deeper=0)
    paths: set[str] = set()
    for items in diff.values():
        for item in items:
            paths.add(_dotted(item.path(output_format="list")))
    return tuple(sorted(p for p in paths if p))


def _canonical(value: Any) -> Any:
    """A form where list order does not count, for a cheap equality test."""
    if isinstance(value, Mapping):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=repr)
    return value


def _dotted(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            break  # a list changed: name the list, its order means nothing
        out = f"{out}.{part}" if out else str(part)
    return out


def without_paths(value: Mapping[str, Any], paths: Iterable[str]) -> tuple[dict[str, Any], int]:
    """A copy of ``value`` with the dotted ``paths`` removed, and how many were present."""
    result: dict[str, Any] = _copy(value)
    removed = 0
    for path in paths:
        parts = path.split(".")
        node: Any = result
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and parts[-1] in node:
            del node[parts[-1]]
            removed += 1
    return result, removed


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
