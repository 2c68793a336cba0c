"""Manifest documents → YAML text laid out like specs/, through ruamel.yaml's round-trip dumper.

The dumper quotes every scalar that would read back as something else (".5", "null",
"0x1f", a trailing newline), so a written manifest loads to the very document it was
written from. Strings that only YAML 1.1 reads otherwise ("yes", "on", "017") are quoted
too, for the tools that still read 1.1. Lists of simple words are written in flow style
(``team: [marketing]``), as specs/ writes them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

# The first line of a manifest written next to the project's schemas/ folder: editors
# then complete and check it against the JSON Schema.
SCHEMA_MODELINE = "# yaml-language-server: $schema=../schemas/manifest.schema.json"

_STR = "tag:yaml.org,2002:str"
_YAML_1_1 = VersionedResolver(version=(1, 1))
# ruamel folds these inside a single-quoted scalar, which reads back as spaces; the
# double-quoted style escapes them (\N, \L, \P).
_FLOW_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@/+-]*")
_BREAKS = frozenset("\n\r\x85\u2028\u2029")


def _needs_double_quotes(text: str) -> bool:
    if any(c in _BREAKS for c in text):
        return True
    tag = str(_YAML_1_1.resolve(ScalarNode, text, (True, False)))
    return tag != _STR


def _flow_safe(item: Any) -> bool:
    """A list item that reads the same inside ``[...]``: ruamel's flow style misreads some
    plain scalars there ("?0" becomes a mapping key), so lists of anything else are blocks."""
    if isinstance(item, str):
        return _FLOW_SAFE.fullmatch(item) is not None
    return item is None or isinstance(item, bool | int | float)


def _styled(value: Any) -> Any:
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, item in value.items():
            out[_styled(key)] = _styled(item)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_styled(v) for v in value)
        if all(_flow_safe(v) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _needs_double_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def manifest_yaml(document: Mapping[str, Any], comments: Iterable[str] = ()) -> str:
    """The document as YAML under ``#`` comment lines (one per entry of ``comments``)."""
    yaml = YAML()  # round-trip: block mappings, quoting only where a scalar needs it
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16  # never fold a long description over lines
    stream = io.StringIO()
    yaml.dump(_styled(document), stream)
    head = "".join(f"{c if c.startswith('#') else '# ' + c}\n" for c in comments)
    return head + stream.getvalue()
