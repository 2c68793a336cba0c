"""RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over plain JSON values."""

from __future__ import annotations

import copy
import json
from typing import Any

from reconciler.wire import MAX_DEPTH, nesting_within


class PatchError(ValueError):
    """The patch document is malformed or an operation cannot apply."""


class PatchTestFailed(PatchError):
    """A ``test`` operation did not match: the caller's precondition is stale."""


def pointer(path: str) -> list[str]:
    """Split an RFC 6901 JSON Pointer into unescaped reference tokens."""
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list[Any], token: str, *, adding: bool) -> int:
    if adding and token == "-":
        return len(container)
    # ASCII digits only ("١" passes isdigit), and short: int() of 5,000 digits is an error
    if not (token.isascii() and token.isdigit() and len(token) <= 18) or (
        token != "0" and token.startswith("0")
    ):
        raise PatchError(f"{token[:40]!r} is not an array index")
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise PatchError(f"index {i} is out of range")
    return i


def _parent(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise PatchError(f"path segment {token!r} does not exist")
    return node


def _get(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path segment {last!r} does not exist")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, adding=False)]
    raise PatchError(f"path segment {last!r} does not exist")


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, adding=True), value)
    else:
        raise PatchError(f"cannot add below a {type(parent).__name__}")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise PatchError("cannot remove the whole document")
    _get(doc, tokens)
    parent, last = _parent(doc, tokens), tokens[-1]
    if isinstance(parent, dict):
        del parent[last]
    else:
        del parent[_index(parent, last, adding=False)]
    return doc


def _apply_one(doc: Any, op: Any) -> Any:
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        raise PatchError("each operation must be an object with an 'op'")
    name, tokens = op["op"], pointer(_text(op, "path"))
    if name in ("add", "replace", "test") and "value" not in op:
        raise PatchError(f"'{name}' needs a 'value'")
    if name == "add":
        return _add(doc, tokens, copy.deepcopy(op["value"]))
    if name == "remove":
        return _remove(doc, tokens)
    if name == "replace":
        _get(doc, tokens)
        return _add(_remove(doc, tokens) if tokens else doc, tokens, copy.deepcopy(op["value"]))
    if name == "test":
        if _get(doc, tokens) != op["value"]:
            raise PatchTestFailed(f"test failed at {op['path']!r}")
        return doc
    if name in ("move", "copy"):
        source = pointer(_text(op, "from"))
        value = copy.deepcopy(_get(doc, source))
        if name == "move":
            if tokens[: len(source)] == source and tokens != source:
                raise PatchError("cannot move a value into its own child")
            doc = _remove(doc, source)
        return _add(doc, tokens, value)
    raise PatchError(f"unknown operation {name!r}")


def _text(op: dict[str, Any], key: str) -> str:
    value = op.get(key)
    if not isinstance(value, str):
        raise PatchError(f"operation '{op.get('op')}' needs a string '{key}'")
    return value


# A patch is bounded in operations, in what it may write (a repeated ``copy`` doubles a
# subtree per operation: 40 of them would need terabytes) and in the nesting of its result.
MAX_OPERATIONS = 1000
MAX_WRITTEN = 1024 * 1024  # characters of JSON written by add, replace, copy and move


def _written(doc: Any, op: Any) -> int:
    """How much JSON ``op`` writes into ``doc``, measured before it runs."""
    if not isinstance(op, dict):
        return 0
    if op.get("op") in ("add", "replace"):
        return len(json.dumps(op.get("value")))
    if op.get("op") in ("copy", "move") and isinstance(op.get("from"), str):
        return len(json.dumps(_get(doc, pointer(op["from"]))))
    return 0


def apply_patch(doc: Any, operations: Any) -> Any:
    """Apply every operation to a copy of ``doc``; all or nothing, within the bounds above."""
    if not isinstance(operations, list):
        raise PatchError("a JSON Patch document is an array of operations")
    if len(operations) > MAX_OPERATIONS:
        raise PatchError(f"more than {MAX_OPERATIONS} operations")
    result = copy.deepcopy(doc)
    budget = MAX_WRITTEN
    for op in operations:
        budget -= _written(result, op)
        if budget < 0:
            raise PatchError(f"the operations write more than {MAX_WRITTEN} characters of JSON")
        result = _apply_one(result, op)
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
