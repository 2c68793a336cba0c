"""Strategies of manifest trees: valid-ish documents, hostile YAML, garbage and huge files."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

KEYS = (
    "apiVersion", "kind", "metadata", "name", "spec", "lifecycle", "destination", "dataset",
    "datasetId", "schema", "schemaRef", "id", "filter", "segments", "segmentId", "status",
    "tags", "fields", "mergePolicy", "version", "fileDescription", "persisted", "ignoreFields",
    "preventDestroy", "recreateOnFailure", "stack", "targets", "variables", "defaultTarget",
    "platformUrl", "clientSecret", "segmentQualificationTime", "startTime", "evaluationInfo",
)  # fmt: skip
HOSTILE = (
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/name:os.system",
    "!include other.yaml",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!timestamp 2024-01-01",
    "&a [*a, *a]",
    "*undefined",
    "<<: {a: 1}",
    "? [complex, key]\n: value",
    "%YAML 1.1\n---",
    "%TAG ! tag:evil.com,2000:\n---",
    "${var.missing}",
    "${env.HOME}",
    "$${literal}",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "Bearer abcdefghijklmnopqrstuvwxyz0123456789",
    "p8e-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "2024-13-45T99:99:99Z",
    "0x1F", "0o17", "1e400", ".nan", "-.inf", "~", "null", "yes", "NO", "",
    "\t", "\x00", "\ufeff", "\x85", "\u2028", "\ud7ff",
)  # fmt: skip
LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
)

leaf = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.sampled_from(["Dataset", "ExportJob", "reconciler/v1", "profile-export"]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
tree = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def _scalar(value: Any) -> str:
    if isinstance(value, str) and value in HOSTILE:
        return value  # raw, so tags, anchors and directives reach the parser
    return json.dumps(value, allow_nan=True)


def _inline(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else _scalar(value)


def block(value: Any, indent: int = 0) -> str:
    """A YAML block rendering that leaves hostile scalars raw."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = []
        for key, item in value.items():
            head = f"{pad}{_scalar(key) if key in HOSTILE else json.dumps(key)}:"
            if isinstance(item, dict | list) and item:
                lines.append(f"{head}\n{block(item, indent + 2)}")
            else:
                lines.append(f"{head} {_inline(item)}")
        return "\n".join(lines)
    if isinstance(value, list) and value:
        return "\n".join(
            f"{pad}-\n{block(item, indent + 2)}"
            if isinstance(item, dict | list) and item
            else f"{pad}- {_inline(item)}"
            for item in value
        )
    return pad + _inline(value)


def manifest_like(spec: Any, kind: str, name: Any) -> dict[str, Any]:
    return {"apiVersion": "reconciler/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


manifests = st.builds(
    manifest_like,
    tree,
    st.sampled_from(["Dataset", "ExportJob", "Other", ""]),
    st.one_of(st.sampled_from(["profile-export", "a", "UPPER", "x" * 70]), leaf),
)
documents = st.one_of(
    manifests.map(block),
    manifests.map(json.dumps),
    tree.map(block),
    st.lists(st.sampled_from(HOSTILE), max_size=6).map("\n".join),
    st.just(LAUGHS),
    st.text(max_size=200),
    st.integers(1, 3).map(lambda n: "key: " + "v" * (n * 600_000)),  # up to 1.8 MB
)
files = st.one_of(
    st.lists(documents, min_size=1, max_size=3).map(lambda docs: "\n---\n".join(docs).encode()),
    st.binary(max_size=300),
    documents.map(lambda d: d.encode("utf-16")),
)
