"""YAML files → plain documents with source positions (the only ruamel.yaml importer).

Loading is safe by construction: the YAML is only *composed* into nodes, and this module
builds plain dicts, lists and scalars from them itself. Tags that would build objects,
duplicate keys, merge keys, recursive or excessive aliases, oversized, empty and
non-UTF-8 files each become a Diagnostic; nothing here raises for bad input.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aep_reconciler.diagnostics import Diagnostic, SourceRange

MAX_FILE_BYTES = 1024 * 1024
MAX_NODES = 20_000  # nodes built per document, counting every alias expansion
MAX_ALIASES = 100  # alias uses per document
# Lists and mappings inside a document. The platform answers a body one or two levels
# deeper than it was sent, and reconciler refuses answers nested past wire.MAX_DEPTH: a
# manifest it could apply but never read back would wedge the stack.
MAX_NESTING = 32
# Integers a JSON API stores (a signed 64-bit long); floats must be finite.
MAX_INTEGER = 2**63 - 1
_MAX_NUMBER_TEXT = 40

_TOO_BIG = f"more than {MAX_ALIASES} YAML aliases or {MAX_NODES} nodes in one document"

FieldPath = tuple[str | int, ...]

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_YAML + t for t in ("int", "float", "bool", "null")}
_STRING_TAGS = {_YAML + "str", _YAML + "timestamp"}  # times stay text: RFC 3339 is checked later


def format_path(path: FieldPath) -> str:
    """("spec", "filter", "segments", 0, "status") → "spec.filter.segments[0].status"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass
class Document:
    """One YAML document as plain data, with where each value and key starts."""

    file: str
    index: int  # 0-based position in its file
    data: Any
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    flagged: set[FieldPath] = field(default_factory=set)  # values the loader already reported

    @property
    def start(self) -> SourceRange:
        return self.at(())

    def at(self, path: FieldPath, *, key: bool = False) -> SourceRange:
        """Where ``path`` (its key, with ``key``) is written, else its nearest written ancestor."""
        probe = tuple(path)
        if key and probe in self.keys:
            line, col = self.keys[probe]
            return SourceRange(self.file, line, col)
        while probe and probe not in self.values:
            probe = probe[:-1]
        line, col = self.values.get(probe, (1, 1))
        return SourceRange(self.file, line, col)


class _Builder:
    """Turns one composed node graph into plain data, recording positions."""

    def __init__(self, doc: Document, constructor: Any) -> None:
        self.doc = doc
        self.constructor = constructor
        self.diags: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.nodes = 0
        self.aliases = 0

    def error(self, node: Node, path: FieldPath, message: str) -> None:
        src = SourceRange(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)
        self.diags.append(Diagnostic(message, src, format_path(path)))
        self.doc.flagged.add(path)

    def build(self, node: Node, path: FieldPath, stack: frozenset[int]) -> Any:
        if id(node) in stack:
            self.error(node, path, "recursive YAML alias")
            return None
        if id(node) in self.seen:
            self.aliases += 1
        self.seen.add(id(node))
        self.nodes += 1
        if self.aliases > MAX_ALIASES or self.nodes > MAX_NODES:
            raise _TooBig(node)
        self.doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if len(path) >= MAX_NESTING and isinstance(node, MappingNode | SequenceNode):
            self.error(node, path, f"nests deeper than {MAX_NESTING} levels")
            return None
        if isinstance(node, MappingNode) and node.tag == _YAML + "map":
            return self.mapping(node, path, stack | {id(node)})
        if isinstance(node, SequenceNode) and node.tag == _YAML + "seq":
            inner = stack | {id(node)}
            return [self.build(item, (*path, i), inner) for i, item in enumerate(node.value)]
        if isinstance(node, ScalarNode) and node.tag in _STRING_TAGS:
            return str(node.value)
        if isinstance(node, ScalarNode) and node.tag in _PLAIN_TAGS:
            return self.number(node, path, self.plain(node))
        tag = str(node.tag).replace(_YAML, "!!")
        self.error(node, path, f"YAML tag '{tag}' is not allowed; write plain YAML values")
        return None

    def plain(self, node: ScalarNode) -> Any:
        """A plain int/float/bool/null scalar; text the resolver took for a number stays text.

        ruamel's resolver lets ``_`` into its number patterns, so ``._`` or ``+_`` is tagged
        float but is no number; YAML 1.2's core schema reads such a scalar as a string.
        """
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, ArithmeticError):
            return str(node.value)

    def number(self, node: ScalarNode, path: FieldPath, value: Any) -> Any:
        """``value``, unless it is a number no JSON API could store (then a diagnostic)."""
        too_long = node.tag in (_YAML + "int", _YAML + "float") and (
            len(str(node.value)) > _MAX_NUMBER_TEXT
        )
        huge = isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER
        if too_long or huge or (isinstance(value, float) and not math.isfinite(value)):
            limit = f"integers within ±{MAX_INTEGER}, finite numbers of at most {_MAX_NUMBER_TEXT}"
            self.error(node, path, f"number out of range ({limit} characters); quote it for text")
            return None
        return value

    def mapping(self, node: MappingNode, path: FieldPath, stack: frozenset[int]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                self.error(key_node, path, "YAML merge keys (<<) are not supported")
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _STRING_TAGS | {
                _YAML + "int",
                _YAML + "bool",
                _YAML + "float",
                _YAML + "null",
            }:
                self.error(key_node, path, "mapping keys must be plain strings")
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                line, col = self.doc.keys[child]
                self.error(
                    key_node, child, f"duplicate key {key!r} (first written at {line}:{col})"
                )
                continue
            self.doc.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child, stack)
        return out


class _TooBig(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


def _read_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    where = SourceRange(display)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            msg = f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"
            return None, [Diagnostic(msg, where)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(f"cannot read file: {exc.strerror or exc}", where)]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Diagnostic(
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                SourceRange(display, line, col),
            )
        ]


def _syntax_error(exc: YAMLError, display: str) -> Diagnostic:
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        src = SourceRange(display, mark.line + 1, mark.column + 1)
        return Diagnostic(f"YAML syntax error: {problem}{context}", src)
    return Diagnostic(f"YAML syntax error: {exc}", SourceRange(display))


def _compose(text: str) -> tuple[YAML, Iterator[Node]]:
    yaml = YAML(typ="safe", pure=True)
    return yaml, yaml.compose_all(text)


def _too_deep(text: str, display: str) -> Diagnostic:
    """Where ``text`` first nests past MAX_NESTING, found by its (iterative) parse events."""
    depth = 0
    where = SourceRange(display)
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    mark = event.start_mark
                    where = SourceRange(display, mark.line + 1, mark.column + 1)
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        pass
    return Diagnostic(f"nests deeper than {MAX_NESTING} levels", where)


def load_file(path: Path, display: str) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document of one YAML file, or the diagnostics that stop it."""
    text, diags = _read_text(path, display)
    if text is None:
        return [], diags
    docs: list[Document] = []
    yaml, nodes = _compose(text)
    try:
        for index, node in enumerate(nodes):
            if isinstance(node, ScalarNode) and node.tag == _YAML + "null":
                continue  # an empty document, e.g. after a trailing ---
            doc = Document(display, index, None)
            builder = _Builder(doc, yaml.constructor)
            try:
                doc.data = builder.build(node, (), frozenset())
            except _TooBig as big:
                builder.error(
                    big.node,
                    (),
                    _TOO_BIG,
                )
            diags.extend(builder.diags)
            docs.append(doc)
    except YAMLError as exc:
        # The documents before the broken one are whole: keep checking them in this pass.
        return docs, [*diags, _syntax_error(exc, display)]
    except RecursionError:
        # ruamel composes nodes recursively: thousands of levels exhaust Python's stack
        # before _Builder sees a single one of them
        return docs, [*diags, _too_deep(text, display)]
    if not docs and not diags:
        diags.append(
            Diagnostic("file is empty; expected at least one document", SourceRange(display))
        )
    return docs, diags
