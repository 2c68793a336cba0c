"""Catalog list filters as SQL clauses, following Adobe's "Filter Catalog data" page.

- simple filters ``{PROPERTY}={VALUE}`` on any top-level property: ``v`` (equal), ``!v`` (not
  equal), ``a,b`` (any of), ``!a,b`` (none of); ``name`` values take ``*`` wildcards
  (``**`` is a literal asterisk);
- ``property={CONDITION}``: ``p`` (exists), ``!p`` (does not exist), ``p~regex``, ``p==v``,
  ``p!=v``, ``p<v``, ``p<=v``, ``p>v``, ``p>=v`` (versions such as 1.0.3 compare part by part);
- ``createdAfter`` / ``createdBefore``: epoch milliseconds, exclusive.

Each function returns ``(sql, args)`` over the alias ``d`` of the datasets table, or raises
the Catalog 400 for a filter it cannot read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from aep_reconciler.emulator.responses import problem
from aep_reconciler.wire import decimal

Clause = tuple[str, list[Any]]

FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Longest operators first, so "<=" is not read as "<" followed by "=…".
_CONDITION = re.compile(r"^(?P<field>[A-Za-z_][A-Za-z0-9_]*)(?P<op>==|!=|<=|>=|<|>|~)(?P<v>.*)$")
_SQL_OPS = {"==": "= 0", "!=": "!= 0", "<": "< 0", "<=": "<= 0", ">": "> 0", ">=": ">= 0"}
_VERSION = re.compile(r"^\d+(\.\d+)+$")


def _path(field: str) -> str:
    return f"$.{field}"


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def compare(value_json: str | None, literal: str) -> int | None:
    """-1, 0 or 1 comparing a property (its JSON text) with a filter literal; None: no value.

    Numbers compare as numbers, dotted versions part by part, booleans as true/false,
    everything else as text.
    """
    if value_json is None:
        return None
    value = json.loads(value_json)
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        left: Any = "true" if value else "false"
        right: Any = literal.lower()
    elif isinstance(value, int | float) and _number(literal) is not None:
        left, right = value, _number(literal)
    elif isinstance(value, str) and _VERSION.match(value) and _VERSION.match(literal):
        left = tuple(int(p) for p in value.split("."))
        right = tuple(int(p) for p in literal.split("."))
    else:
        left, right = str(value), literal
    return int(left > right) - int(left < right)


def regexp_match(value_json: str | None, pattern: str) -> int:
    if value_json is None:
        return 0
    value = json.loads(value_json)
    return int(isinstance(value, str) and re.search(pattern, value) is not None)


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the clauses call; deterministic, so SQLite may cache them."""
    conn.create_function("catalog_cmp", 2, compare, deterministic=True)
    conn.create_function("catalog_regexp", 2, regexp_match, deterministic=True)


def name_glob(pattern: str) -> str:
    """A ``name`` value with ``*`` wildcards as a case-sensitive GLOB (``**`` = a literal *)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append("[*]")
            i += 2
            continue
        char = pattern[i]
        out.append({"?": "[?]", "[": "[[]"}.get(char, char))
        i += 1
    return "".join(out)


def simple_filter(field: str, raw: str) -> Clause:
    """``field=v``, ``field=!v``, ``field=a,b``, ``field=!a,b``."""
    negate = raw.startswith("!")
    values = (raw[1:] if negate else raw).split(",")
    if field == "name":
        any_of = " OR ".join("d.name GLOB ?" for _ in values)
        args: list[Any] = [name_glob(v) for v in values]
    elif field == "id":
        any_of = f"d.id IN ({','.join('?' * len(values))})"
        args = list(values)
    else:
        any_of = " OR ".join("catalog_cmp(d.body -> ?, ?) = 0" for _ in values)
        args = [a for v in values for a in (_path(field), v)]
    return (f"NOT COALESCE(({any_of}), 0)" if negate else f"({any_of})"), args


def property_filter(raw: str) -> Clause:
    """One ``property=`` condition."""
    if FIELD.match(raw):
        return "d.body -> ? IS NOT NULL", [_path(raw)]
    if raw.startswith("!") and FIELD.match(raw[1:]):
        return "d.body -> ? IS NULL", [_path(raw[1:])]
    match = _CONDITION.match(raw)
    if match is None:
        raise problem(
            400,
            f"Invalid property filter {raw!r}; expected NAME, !NAME or NAME followed by one of "
            "==, !=, <, <=, >, >=, ~ and a value (top-level properties only)",
        )
    field, op, value = match["field"], match["op"], match["v"]
    if op == "~":
        try:
            re.compile(value)
        except re.error as exc:
            raise problem(400, f"Invalid regular expression in property={raw!r}: {exc}") from None
        return "catalog_regexp(d.body -> ?, ?)", [_path(field), value]
    if field == "name" and op in ("==", "!="):
        return ("d.name GLOB ?" if op == "==" else "NOT d.name GLOB ?"), [name_glob(value)]
    return f"catalog_cmp(d.body -> ?, ?) {_SQL_OPS[op]}", [_path(field), value]


def created_bound(name: str, raw: str) -> Clause:
    """``createdAfter`` / ``createdBefore``: exclusive bounds in epoch milliseconds."""
    value = decimal(raw)
    if value is None or value < 0:
        raise problem(400, f"Query parameter '{name}' must be epoch milliseconds, got {raw!r}")
    return ("d.created > ?" if name == "createdAfter" else "d.created < ?"), [value]
