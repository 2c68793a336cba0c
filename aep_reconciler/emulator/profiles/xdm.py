"""The XDM fields the profile store holds, and ``fields`` dot paths turned into DuckDB SQL.

A tree maps each field to its children (a dict), to a one-element list for an array of
objects, or to ``None`` for a leaf. Projection keeps exactly the requested sub-paths, so
``person.name.firstName`` exports ``person: {name: {firstName}}``; a path the tree does
not hold is ignored, as the platform exports what profiles have.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Tree = dict[str, Any]

PROFILE: Tree = {
    "identities": [{"id": None, "namespace": {"code": None}, "primary": None}],
    "person": {"name": {"firstName": None, "lastName": None}},
    "personalEmail": {"address": None},
    "homeAddress": {"street1": None, "city": None, "postalCode": None, "countryCode": None},
    "segmentMembership": None,
}
EVENT: Tree = {
    "_id": None,
    "timestamp": None,
    "eventType": None,
    "environment": {"browserDetails": {"name": None, "version": None}},
}

Wanted = dict[str, Any]  # field -> nested Wanted, or True for the whole field


def wanted(paths: Iterable[str], tree: Tree) -> Wanted:
    """The requested sub-tree; paths into unknown fields (or past a leaf) are dropped."""
    out: Wanted = {}
    for path in paths:
        node: Any = tree
        into = out
        parts = path.strip().split(".")
        for depth, part in enumerate(parts):
            node = node[0] if isinstance(node, list) else node
            if not isinstance(node, dict) or part not in node:
                break
            last = depth == len(parts) - 1
            if last or node[part] is None:
                into[part] = True
                break
            child = into.get(part)
            if child is True:
                break
            into = into.setdefault(part, {})
            node = node[part]
    return out


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expr(source: str, node: Any, want: Any, depth: int) -> str:
    if want is True:
        return source
    if isinstance(node, list):
        var = f"x{depth}"
        inner = _expr(var, node[0], want, depth + 1)
        return f"list_transform({source}, lambda {var}: {inner})"
    parts = [
        f"{_quoted(key)} := {_expr(f'{source}.{_quoted(key)}', node[key], sub, depth)}"
        for key, sub in want.items()
    ]
    return f"CASE WHEN {source} IS NULL THEN NULL ELSE struct_pack({', '.join(parts)}) END"


def projection(paths: Iterable[str] | None, tree: Tree) -> list[tuple[str, str]]:
    """(column, SQL expression) per exported top-level field, in the tree's order.

    ``paths`` None means every field. Expressions read the top-level columns by name.
    """
    want = {key: True for key in tree} if paths is None else wanted(paths, tree)
    return [(key, _expr(_quoted(key), tree[key], want[key], 0)) for key in tree if key in want]


def split_fields(expression: str | None) -> list[str] | None:
    """``"a.b, c"`` → ``["a.b", "c"]``; None (all fields) stays None."""
    if expression is None:
        return None
    return [p.strip() for p in expression.split(",") if p.strip()]
