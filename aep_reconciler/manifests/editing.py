"""Writing manifests with ruamel.yaml round-trip: new files (export) and field edits that
keep every comment, key order, anchor and quoting style of a file (drift --write).

An edit never reformats a file: the file must come back byte for byte from a round trip
in one of the layouts below (the indentation styles people write), else it is refused and
the caller says which values to set by hand. Values are merged into the existing nodes,
so a flow list stays a flow list and a quoted string stays quoted.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from aep_reconciler.manifests.variables import reference_in

# (mapping indent, sequence indent, dash offset): specs/ style first.
LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))
ABSENT = object()  # an edit's value when the field is to be removed

Path = tuple[str, ...]


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the author wrote on one
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = False
    return yaml


def _dump(yaml: YAML, documents: Sequence[Any]) -> str:
    out = io.StringIO()
    yaml.dump_all(documents, out)
    return out.getvalue()


def new_file(documents: Sequence[Mapping[str, Any]], heads: Sequence[Sequence[str]]) -> str:
    """YAML documents formatted like specs/, each under its ``#`` comment lines."""
    yaml = _yaml(LAYOUTS[0])
    nodes = []
    for document, head in zip(documents, heads, strict=True):
        node = _commented(document)
        if head:
            node.yaml_set_start_comment("\n".join(c.removeprefix("# ") for c in head))
        nodes.append(node)
    return _dump(yaml, nodes)


def _commented(value: Any) -> Any:
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _commented(item)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_commented(v) for v in value)
        if not any(isinstance(v, Mapping | list) for v in value):
            seq.fa.set_flow_style()  # short scalar lists on one line, as specs/ writes them
        return seq
    return value


@dataclass
class Edited:
    """What an edit did: the new text (None when nothing could change) and the refusals."""

    text: str | None
    refused: list[tuple[Path, str]] = field(default_factory=list)


def _load(text: str) -> tuple[YAML, list[Any]] | None:
    """The documents and the layout that writes them back unchanged, or None."""
    for layout in LAYOUTS:
        yaml = _yaml(layout)
        try:
            documents = list(yaml.load_all(text))
        except YAMLError:
            return None
        if _dump(yaml, documents) == text:
            return yaml, documents
    return None


def _find(documents: Iterable[Any], kind: str, name: str) -> Any:
    for document in documents:
        meta = document.get("metadata") if isinstance(document, Mapping) else None
        if isinstance(meta, Mapping) and document.get("kind") == kind and meta.get("name") == name:
            return document
    return None


def edit_document(text: str, kind: str, name: str, edits: Mapping[Path, Any]) -> Edited:
    """Set each path of the ``kind``/``name`` document to its value (ABSENT removes it).

    A path whose current value is (or holds) a ``${var.X}`` reference is refused: the
    variable, not the manifest, is what would have to change.
    """
    loaded = _load(text)
    if loaded is None:
        why = "the file's layout cannot be written back without reformatting it"
        return Edited(None, [(p, why) for p in edits])
    yaml, documents = loaded
    document = _find(documents, kind, name)
    if document is None:
        return Edited(None, [(p, f"no {kind} {name} in the file") for p in edits])
    result = Edited(None)
    for path, value in edits.items():
        problem = _set(document, path, value)
        if problem:
            result.refused.append((path, problem))
    if len(result.refused) < len(edits):
        result.text = _dump(yaml, documents)
    return result


def _set(document: Any, path: Path, value: Any) -> str:
    """Apply one edit; the reason it was refused, or ""."""
    parent: Any = document
    for part in path[:-1]:
        child = parent.get(part) if isinstance(parent, Mapping) else None
        if not isinstance(child, Mapping):
            if value is ABSENT:
                return ""  # nothing there to remove
            child = parent[part] = CommentedMap()
        parent = child
    key = path[-1]
    current = parent.get(key, ABSENT) if isinstance(parent, Mapping) else ABSENT
    reference = reference_in(current) if current is not ABSENT else None
    if reference:
        return f"its value comes from {reference}; change the variable instead"
    anchor = getattr(getattr(current, "anchor", None), "value", None)
    if anchor:  # the anchor and every alias of it are one node: a person decides
        return f"it is the YAML anchor &{anchor} or an alias of it; change it by hand"
    if value is ABSENT:
        parent.pop(key, None)
    elif current is ABSENT:
        parent[key] = _commented(value)
    else:
        parent[key] = _merged(current, value)
    return ""


def _merged(current: Any, value: Any) -> Any:
    """``value`` in the shape of ``current``: same node objects, styles and comments."""
    if isinstance(current, CommentedMap) and isinstance(value, Mapping):
        for key in [k for k in current if k not in value]:
            del current[key]
        for key, item in value.items():
            current[key] = _merged(current[key], item) if key in current else _commented(item)
        return current
    if isinstance(current, CommentedSeq) and isinstance(value, list):
        if list(current) != value:
            current[:] = [_commented(v) for v in value]
        return current
    if current == value:
        return current  # keep its quoting
    if isinstance(current, ScalarString) and isinstance(value, str):
        return type(current)(value)  # quoted stays quoted
    return _commented(value)
