"""Export jobs evaluated by DuckDB against a sandbox's profile store, written as Parquet.

One export is a handful of SQL statements: the selected profiles (segment memberships,
qualification window, ingest time, empty profiles) into a temporary table, the merge
policy applied to the profile fragments of just those profiles, optional event lists and
segment memberships, then one ``COPY … TO … (FORMAT parquet)`` per batch. DuckDB scans
the columns it needs and writes the files; Python only assembles the statements.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from aep_reconciler.emulator.profiles.xdm import EVENT, PROFILE, projection

MAX_FILE_BYTES = "256MB"  # a batch larger than this is written as several part files


@dataclass(frozen=True)
class SegmentRule:
    id: str
    namespace: str = "ups"
    statuses: tuple[str, ...] = ("realized", "existing")


@dataclass(frozen=True)
class MergeRule:
    """How fragments combine: the newest wins, or the first dataset in ``order``."""

    kind: str = "timestampOrdered"  # or "dataSetPrecedence"
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRule:
    fields: tuple[str, ...] | None = None
    from_ms: int | None = None
    to_ms: int | None = None


@dataclass(frozen=True)
class ExportSpec:
    """What one export job asks for, in the store's terms (times in epoch ms)."""

    fields: tuple[str, ...] | None = None
    merge: MergeRule = MergeRule()
    segments: tuple[SegmentRule, ...] = ()
    qualified_from: int | None = None
    qualified_to: int | None = None
    from_ingest: int | None = None
    empty_profiles: bool = False
    events: EventRule | None = None
    per_segment: bool = False


@dataclass(frozen=True)
class BatchOutput:
    batch_id: str
    folder: Path
    records: int
    files: tuple[tuple[str, int], ...]  # (file name, bytes)


@dataclass(frozen=True)
class ExportResult:
    batches: tuple[BatchOutput, ...]
    by_namespace: dict[str, int] = field(default_factory=dict)
    select_ms: int = 0  # evaluating the request
    write_ms: int = 0  # writing Parquet

    @property
    def profiles(self) -> int:
        return sum(b.records for b in self.batches)


def _path(folder: Path, name: str) -> str:
    return "'" + str(folder / name).replace("'", "''") + "'"


class _Sql:
    """The statements of one export, with their parameters collected as they are built."""

    def __init__(self, store: Path, spec: ExportSpec) -> None:
        self.spec = spec
        self.profiles = f"read_parquet({_path(store, 'profiles.parquet')})"
        self.fragments = f"read_parquet({_path(store, 'fragments.parquet')})"
        self.events = f"read_parquet({_path(store, 'events.parquet')})"
        self.members = f"read_parquet({_path(store, 'memberships.parquet')})"
        self.params: dict[str, object] = {}

    def _arg(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def _window(self, column: str, low: int | None, high: int | None) -> list[str]:
        out = []
        if low is not None:
            out.append(f"{column} >= {self._arg(low)}")
        if high is not None:
            out.append(f"{column} <= {self._arg(high)}")
        return out

    def memberships(self) -> str | None:
        """(pid, k) of qualifying memberships, k = index of the matching segment rule."""
        spec = self.spec
        if not spec.segments:
            window = self._window("qualified_ms", spec.qualified_from, spec.qualified_to)
            if not window:
                return None
            return f"SELECT DISTINCT pid, 0 AS k FROM {self.members} WHERE {' AND '.join(window)}"
        parts = []
        for k, rule in enumerate(spec.segments):
            statuses = ", ".join(self._arg(s) for s in rule.statuses) or "NULL"
            conds = [
                f"segment_id = {self._arg(rule.id)}",
                f"namespace = {self._arg(rule.namespace)}",
                f"status IN ({statuses})",
                *self._window("qualified_ms", spec.qualified_from, spec.qualified_to),
            ]
            parts.append(f"SELECT pid, {k} AS k FROM {self.members} WHERE {' AND '.join(conds)}")
        union = " UNION ALL ".join(parts)
        key = "k" if spec.per_segment else "0 AS k"
        return f"SELECT DISTINCT pid, {key} FROM ({union})"

    def chosen(self) -> str:
        where = [] if self.spec.empty_profiles else ["p.has_record"]
        where += self._window("p.updated_ms", self.spec.from_ingest, None)
        members = self.memberships()
        source = f"{self.profiles} p"
        key = "0 AS k"
        if members is not None:
            source += f" JOIN ({members}) m USING (pid)"
            key = "m.k"
        cond = f" WHERE {' AND '.join(where)}" if where else ""
        return f"CREATE TEMP TABLE chosen AS SELECT p.pid, {key} FROM {source}{cond}"

    def merged(self) -> str:
        merge = self.spec.merge
        if merge.kind == "dataSetPrecedence":
            order = self._arg(list(merge.order))
            rank = (
                f"[-coalesce(list_position({order}::VARCHAR[], dataset_id), 1000000), updated_ms]"
            )
        else:
            rank = "[updated_ms]"
        picks = ", ".join(
            f"arg_max({c}, r) FILTER (WHERE {c} IS NOT NULL) AS {c}"
            for c in ("person", "personalEmail", "homeAddress")
        )
        return (
            f"CREATE TEMP TABLE merged AS SELECT pid, {picks} FROM (SELECT *, {rank} AS r "
            f"FROM {self.fragments} WHERE pid IN (SELECT pid FROM chosen)) GROUP BY pid"
        )

    def memberships_map(self) -> str:
        entry = "{'status': status, 'lastQualificationTime': make_timestamp(qualified_ms * 1000)}"
        inner = (
            f"SELECT pid, namespace, map_from_entries(list({{'k': segment_id, 'v': {entry}}})) "
            f"AS m FROM {self.members} WHERE pid IN (SELECT pid FROM chosen)"
            " GROUP BY pid, namespace"
        )
        return (
            "CREATE TEMP TABLE sm AS SELECT pid, map_from_entries(list({'k': namespace, 'v': m}))"
            f" AS segmentMembership FROM ({inner}) GROUP BY pid"
        )

    def event_lists(self, rule: EventRule) -> str:
        cols = projection(rule.fields, EVENT)
        packed = ", ".join(f'"{name}" := {expr}' for name, expr in cols) or '"_id" := "_id"'
        where = ["pid IN (SELECT pid FROM chosen)"]
        where += self._window("ingest_ms", rule.from_ms, rule.to_ms)
        return (
            f"CREATE TEMP TABLE ev AS SELECT pid, list(struct_pack({packed}) ORDER BY timestamp)"
            f" AS eventList FROM {self.events} WHERE {' AND '.join(where)} GROUP BY pid"
        )

    def copy(self, k: int | None, folder: Path) -> str:
        cols = projection(self.spec.fields, PROFILE) or [("identities", '"identities"')]
        select = [f'{expr} AS "{name}"' for name, expr in cols]
        joins = f"chosen c JOIN {self.profiles} p USING (pid) LEFT JOIN merged USING (pid)"
        if any(name == "segmentMembership" for name, _ in cols):
            joins += " LEFT JOIN sm USING (pid)"
        if self.spec.events is not None:
            joins += " LEFT JOIN ev USING (pid)"
            select.append("coalesce(ev.eventList, []) AS eventList")
        where = f" WHERE c.k = {int(k)}" if k is not None else ""
        target = "'" + str(folder).replace("'", "''") + "'"
        return (
            f"COPY (SELECT {', '.join(select)} FROM {joins}{where} ORDER BY pid) TO {target} "
            f"(FORMAT parquet, FILE_SIZE_BYTES '{MAX_FILE_BYTES}', FILENAME_PATTERN 'part-{{i}}')"
        )

    def namespaces(self) -> str:
        codes = "list_distinct(list_transform(p.identities, lambda x: x.namespace.code))"
        return (
            f"SELECT ns, count(*) FROM (SELECT unnest({codes}) AS ns FROM chosen c "
            f"JOIN {self.profiles} p USING (pid)) GROUP BY ns ORDER BY ns"
        )


def _exec(con: duckdb.DuckDBPyConnection, sql: _Sql, build: Callable[[], str]) -> None:
    """Build one statement and run it with exactly the parameters it collected."""
    sql.params = {}
    statement = build()
    con.execute(statement, sql.params)


def _files(folder: Path) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p.name, p.stat().st_size) for p in folder.iterdir() if p.is_file()))


def run_export(
    con: duckdb.DuckDBPyConnection,
    store: Path,
    spec: ExportSpec,
    batch_ids: Sequence[str],
    staging: Path,
    clock: Callable[[], float] = time.monotonic,
) -> ExportResult:
    """Evaluate ``spec`` on ``store`` and write one folder of Parquet per batch id."""
    started = clock()
    sql = _Sql(store, spec)
    _exec(con, sql, sql.chosen)
    _exec(con, sql, sql.merged)
    if "segmentMembership" in {name for name, _ in projection(spec.fields, PROFILE)}:
        _exec(con, sql, sql.memberships_map)
    if spec.events is not None:
        rule = spec.events
        _exec(con, sql, lambda: sql.event_lists(rule))
    selected = clock()
    per_batch: list[int | None] = (
        list(range(len(batch_ids))) if spec.per_segment and spec.segments else [None]
    )
    batches = []
    for k, batch_id in zip(per_batch, batch_ids, strict=False):
        folder = staging / batch_id
        row = con.execute(sql.copy(k, folder)).fetchone()
        records = int(row[0]) if row else 0
        folder.mkdir(parents=True, exist_ok=True)  # DuckDB writes no file for zero rows
        batches.append(BatchOutput(batch_id, folder, records, _files(folder)))
    written = clock()
    counts = {str(ns): int(n) for ns, n in con.execute(sql.namespaces()).fetchall()}
    return ExportResult(
        tuple(batches),
        counts,
        round((selected - started) * 1000),
        round((written - selected) * 1000),
    )
