"""Live state: the stack's datasets and the export jobs in scope, read from list endpoints only.

Datasets are listed with a tag filter on our stack and a projection to the fields we
manage, so a sandbox with 10,000 foreign datasets costs one request. Export jobs cannot be
filtered by dataset, so every page is read, streamed, and only jobs whose destination is in
scope are kept (the rest are dropped page by page to bound memory).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.diagnostics import RangeUnsupported, TransportError
from aep_reconciler.fingerprint import canonical_hash, fingerprint
from aep_reconciler.ownership import STACK_TAG, manifest_name
from aep_reconciler.ports import Listing
from aep_reconciler.remote._paging import check_job, cursor_key
from aep_reconciler.wire import ACTIVE_JOB_STATUSES, MAX_DEPTH, job_dataset_id, nesting_within

# Top-level dataset fields a plan needs; everything else stays on the server.
DATASET_PROPERTIES = (
    "name",
    "description",
    "tags",
    "schemaRef",
    "fileDescription",
    "enableErrorDiagnostics",
    "observableSchema",
    "dataSourceId",
    "version",
    "created",
    "updated",
)


@dataclass(frozen=True)
class LiveJob:
    id: str
    dataset_id: str
    fingerprint: str  # of the effective request, destination dataset left out
    status: str
    creation_time: int
    request: Mapping[str, Any]  # the request fields as the platform echoes them
    errors: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES


@dataclass
class LiveState:
    """What observe read. Treated as read-only once planning starts: the lookups below are
    indexed once (and again only if the number of datasets or jobs changes)."""

    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)  # owned, by id
    jobs: list[LiveJob] = field(default_factory=list)  # in scope, newest first
    jobs_seen: int = 0
    job_cursors: list[str] = field(default_factory=list)  # where the job list can be split
    requests: int = 0
    seconds: float = 0.0
    now_ms: int | None = None  # the platform's clock when the jobs were read (None: unknown)
    # Datasets with the display name of a declaration nothing owned matches, not carrying
    # our stack tag: what a create must not duplicate (see find_lookalikes).
    lookalikes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Manifest name -> the dataset id the stack had after its last apply (read only when a
    # create looms): a recorded id that is gone was deleted outside reconciler.
    recorded: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str | None, list[tuple[str, dict[str, Any]]]] | None = field(
        default=None, repr=False, compare=False
    )
    _indexed: int = field(default=-1, repr=False, compare=False)
    _by_dataset: dict[str, list[LiveJob]] | None = field(default=None, repr=False, compare=False)
    _jobs_indexed: int = field(default=-1, repr=False, compare=False)
    _dataset_of: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def datasets_named(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        """Owned datasets carrying manifest name ``name``, oldest first."""
        if self._by_name is None or self._indexed != len(self.datasets):
            # One pass for all names: looking each manifest up by scanning was O(n^2).
            index: dict[str | None, list[tuple[str, dict[str, Any]]]] = {}
            for i, d in self.datasets.items():
                index.setdefault(manifest_name(d), []).append((i, d))
            for found in index.values():
                found.sort(key=lambda p: (p[1].get("created") or 0, p[0]))
            self._by_name, self._indexed = index, len(self.datasets)
        return list(self._by_name.get(name, ()))

    def jobs_into(self, dataset_id: str) -> list[LiveJob]:
        """Jobs into ``dataset_id``, newest first (an index built once per job count)."""
        return list(self._job_index().get(dataset_id, ()))

    def dataset_of_job(self, job_id: str) -> str | None:
        self._job_index()
        return self._dataset_of.get(job_id)

    def _job_index(self) -> dict[str, list[LiveJob]]:
        if self._by_dataset is None or self._jobs_indexed != len(self.jobs):
            index: dict[str, list[LiveJob]] = {}
            for job in self.jobs:
                index.setdefault(job.dataset_id, []).append(job)
            self._by_dataset, self._jobs_indexed = index, len(self.jobs)
            self._dataset_of = {j.id: j.dataset_id for j in self.jobs}
        return self._by_dataset

    def object_fingerprints(self) -> dict[str, str]:
        """What a saved plan records to detect that the platform moved since."""
        out = {f"Dataset/{i}": canonical_hash(d)[:16] for i, d in self.datasets.items()}
        for job in self.jobs:
            out[f"ExportJob/{job.id}"] = f"{job.fingerprint[:16]}:{job_state(job.status)}"
        return out


def job_state(status: str) -> str:
    """Job statuses that lead to different plans (NEW and PROCESSING do not)."""
    if status in ACTIVE_JOB_STATUSES:
        return "active"
    return status.lower()


def job_fingerprint(job_or_body: Mapping[str, Any]) -> str:
    """The identity of an export job inside its destination dataset."""
    usable(job_or_body, "GET /export/jobs")
    body = dict(job_or_body)
    dest = dict(body.get("destination") or {})
    for key in ("datasetId", "dataSetId", "dataset"):
        dest.pop(key, None)
    dest["datasetId"] = "-"
    body["destination"] = dest
    return fingerprint(body)


def usable(value: Mapping[str, Any], call: str) -> None:
    """An object the core computes with recursively must not nest absurdly deep."""
    if not nesting_within(value):
        raise TransportError(call, 0, None, None, f"an answer nests deeper than {MAX_DEPTH} levels")


def live_job(raw: Mapping[str, Any]) -> LiveJob | None:
    try:
        check_job(raw)  # list pages are checked lightly; the jobs the plan keeps, fully
    except ValueError as exc:
        raise TransportError("GET /export/jobs", 0, None, None, str(exc)) from None
    dataset_id = job_dataset_id(dict(raw))
    if dataset_id is None or raw.get("id") is None:
        return None
    errors = tuple(
        str(e.get("msg") or e.get("message") or e.get("code"))
        for e in raw.get("errors") or ()
        if isinstance(e, Mapping)
    )
    return LiveJob(
        id=str(raw["id"]),
        dataset_id=dataset_id,
        fingerprint=job_fingerprint(raw),
        status=str(raw.get("status", "")),
        creation_time=int(raw.get("creationTime") or 0),
        request=request_fields(raw),
        errors=errors,
    )


REQUEST_FIELDS = (
    "fields",
    "mergePolicy",
    "filter",
    "additionalFields",
    "destination",
    "schema",
    "evaluationInfo",
)


def request_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: raw[k] for k in REQUEST_FIELDS if k in raw}
    dest = dict(out.get("destination") or {})
    for key in ("batchId", "batches", "dataSetId"):
        dest.pop(key, None)
    if "destination" in out:
        dest["datasetId"] = job_dataset_id(dict(raw))
        out["destination"] = dest
    return out


async def observe(
    client: Listing,
    stack: str,
    extra_dataset_ids: Iterable[str] = (),
    *,
    request_count: Callable[[], int] | None = None,
    partitions: Sequence[str] = (),
    now_ms: Callable[[], int] | None = None,
) -> LiveState:
    """Read the stack's datasets, then stream every job page keeping those in scope.

    With ``partitions`` (cursors a previous read met), the job list is read as that many
    plus one adjacent ranges at once; if the platform does not page that way, it is read
    again through one cursor.
    """
    started = time.perf_counter()
    datasets = await client.list_datasets(properties=DATASET_PROPERTIES, tags={STACK_TAG: stack})
    for dataset in datasets.values():
        usable(dataset, "GET /dataSets")
    scope = set(datasets) | set(extra_dataset_ids)
    state = LiveState(datasets=datasets)
    if partitions:
        try:
            state.job_cursors = await _read_ranges(client, list(partitions), scope, state)
        except RangeUnsupported:
            state = LiveState(datasets=datasets)  # start over with the plain cursor
    if not state.job_cursors:
        cursors: list[str] = []  # where this read could be cut next time
        async for page in client.iter_export_job_range(cursors_out=cursors):
            _keep(page, scope, state)
        state.job_cursors = cursors
    state.jobs.sort(key=lambda j: (-j.creation_time, j.id))
    state.now_ms = now_ms() if now_ms is not None else None
    state.seconds = time.perf_counter() - started
    if request_count is not None:
        state.requests = request_count()
    return state


def _keep(page: list[dict[str, Any]], scope: set[str], state: LiveState) -> None:
    state.jobs_seen += len(page)
    for raw in page:
        if job_dataset_id(raw) in scope:
            job = live_job(raw)
            if job is not None:
                state.jobs.append(job)


async def _read_ranges(
    client: Listing, bounds: list[str], scope: set[str], state: LiveState
) -> list[str]:
    """Read the ranges (newest, bounds[0]], (bounds[0], bounds[1]], ... at once."""
    edges: list[str | None] = [None, *bounds, None]
    met: list[list[str]] = [[] for _ in range(len(edges) - 1)]

    async def one(i: int) -> None:
        pages = client.iter_export_job_range(after=edges[i], until=edges[i + 1], cursors_out=met[i])
        async for page in pages:
            _keep(page, scope, state)

    tasks = [asyncio.create_task(one(i)) for i in range(len(met))]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:  # one range failed: stop the others before anything else
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    found = [c for chunk in met for c in chunk] + bounds
    return sorted(set(found), key=lambda c: cursor_key(c) or (0, 0), reverse=True) or list(bounds)


LOOKALIKE_NAMES_PER_REQUEST = 100  # keeps the query string short


def name_pattern(name: str) -> str:
    """A display name as one value of Catalog's ``name=a,b`` filter.

    ``*`` is its wildcard and ``,`` its separator: both become ``*``, which matches a
    superset; the caller compares names exactly.
    """
    return name.replace("*", "**").replace(",", "*")


async def find_lookalikes(
    client: Listing, names: Iterable[str], known: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Datasets carrying one of ``names`` as display name, except the ``known`` ids: one
    request for every declaration about to be created, not one per manifest."""
    wanted = sorted({n for n in names if n})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), LOOKALIKE_NAMES_PER_REQUEST):
        chunk = wanted[start : start + LOOKALIKE_NAMES_PER_REQUEST]
        page = await client.list_datasets(
            properties=DATASET_PROPERTIES, name=",".join(name_pattern(n) for n in chunk)
        )
        exact = set(chunk)
        found.update((i, d) for i, d in page.items() if d.get("name") in exact)
    for dataset in found.values():
        usable(dataset, "GET /dataSets")
    return {i: d for i, d in found.items() if i not in known}


def split_points(cursors: Sequence[str], streams: int) -> list[str]:
    """``streams - 1`` cursors that cut a list read last time into equal page counts.

    Empty when the list is too short to be worth reading in parallel.
    """
    if streams < 2 or len(cursors) < 2 * streams:
        return []
    return [cursors[len(cursors) * i // streams] for i in range(1, streams)]
