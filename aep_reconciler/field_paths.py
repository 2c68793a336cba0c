"""Dotted field paths (``filter.segments``), as plans and drift findings name fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def value_at(value: Mapping[str, Any] | None, path: str) -> Any:
    """The value at a dotted path, None where it is absent."""
    node: Any = value
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node
