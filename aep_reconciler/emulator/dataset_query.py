"""Catalog list parameters (paging, projection, order, filters) → one SQL query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from aep_reconciler.emulator.catalog_filters import (
    FIELD,
    created_bound,
    property_filter,
    simple_filter,
)
from aep_reconciler.emulator.responses import problem
from aep_reconciler.emulator.variants import Variants
from aep_reconciler.wire import decimal

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# orderBy fields with their own column; other top-level fields sort by their JSON value.
_COLUMNS = {"created": "d.created", "updated": "d.updated", "name": "d.name", "id": "d.id"}
# Parameters that are not simple filters; every other name filters the property it names.
_CONTROLS = frozenset({"limit", "start", "properties", "orderBy", "tags", "property"})
_CREATED = ("createdAfter", "createdBefore")


@dataclass
class DatasetQuery:
    limit: int = DEFAULT_LIMIT
    start: int = 0
    properties: tuple[str, ...] | None = None
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def sql(self, tenant: str) -> tuple[str, list[Any]]:
        """The ids of one page, in order; only indexes are read, bodies come after."""
        where = " AND ".join(["d.tenant = ?", *self.where])
        # Ties break by created then id, in the direction of the last sort key, so that an
        # index (tenant, key, created, id) can answer the whole ORDER BY without sorting.
        direction = self.order[-1].rsplit(" ", 1)[1] if self.order else "ASC"
        order = ", ".join([*self.order, f"d.created {direction}", f"d.id {direction}"])
        text = f"SELECT d.id FROM datasets d WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
        return text, [tenant, *self.args, self.limit, self.start]


def _integer(params: QueryParams, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    found = decimal(raw)
    value = low - 1 if found is None else found
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise problem(400, f"Query parameter '{name}' must be an integer {bound}, got {raw!r}")
    return value


def _order(raw: str) -> list[str]:
    clauses = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        direction, _, name = part.rpartition(":")
        direction = direction.lower() or "asc"
        if direction not in ("asc", "desc") or not FIELD.match(name):
            raise problem(400, f"Invalid orderBy {part!r}; expected asc:field or desc:field")
        column = _COLUMNS.get(name, f"json_extract(d.body, '$.{name}')")
        clauses.append(f"{column} {direction.upper()}")
    return clauses


def _glob(pattern: str) -> str:
    """A tag value pattern as a case-sensitive GLOB: only ``*`` stays a wildcard."""
    return "".join({"[": "[[]", "?": "[?]"}.get(c, c) for c in pattern)


def _tag_filter(query: DatasetQuery, raw: str) -> None:
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = part.partition(":")
        if not sep or not key:
            raise problem(400, f"Invalid tags filter {part!r}; expected key:value or key:*")
        query.where.append(
            "EXISTS (SELECT 1 FROM dataset_tags t WHERE t.tenant = d.tenant AND t.key = ? "
            "AND t.value GLOB ? AND t.dataset_id = d.id)"
        )
        query.args.extend([key, _glob(value)])


def _filters(query: DatasetQuery, params: QueryParams) -> None:
    for name, raw in params.multi_items():
        if name in _CONTROLS and name != "property":
            continue
        if name == "property":
            clause, args = property_filter(raw)
        elif name in _CREATED:
            clause, args = created_bound(name, raw)
        elif name == "sort" or not FIELD.match(name):
            raise problem(
                400,
                f"Unsupported query parameter {name!r}: filters name top-level properties "
                "(orderBy replaces sort)",
            )
        else:
            clause, args = simple_filter(name, raw)
        query.where.append(clause)
        query.args.extend(args)


def parse_query(params: QueryParams, variants: Variants) -> DatasetQuery:
    """Validate the list parameters of ``GET /dataSets`` or raise the Catalog 400.

    A page holds at most what the ``catalog-page-cap`` variant allows for the projection.
    """
    query = DatasetQuery(
        limit=_integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        start=_integer(params, "start", 0, 0, None),
    )
    if "properties" in params:
        names = tuple(p.strip() for p in params["properties"].split(",") if p.strip())
        query.properties = names
    cap = variants.page_cap(query.properties)
    if cap is not None:
        query.limit = min(query.limit, cap)
    if "orderBy" in params:
        query.order = _order(params["orderBy"])
    for raw in params.getlist("tags"):
        _tag_filter(query, raw)
    _filters(query, params)
    return query


def project(body: dict[str, Any], properties: tuple[str, ...] | None) -> dict[str, Any]:
    if properties is None:
        return body
    return {k: body[k] for k in properties if k in body}
