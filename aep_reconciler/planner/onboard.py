"""An existing sandbox as manifests (pure): which datasets to export, their manifest names,
and one ExportJob document per distinct request into each (``reconciler export``).

A job has no name on the platform and many runs of one request are history, not
declarations: the jobs into a dataset are grouped by the fingerprint of their request,
and each group becomes one document written from its newest run. A request whose every
run FAILED is declared with ``recreateOnFailure: false``, so the next plan records it
without starting it again.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aep_reconciler.live import LiveJob
from aep_reconciler.ownership import LOCK_TAG, owner_stack, tags_of
from aep_reconciler.planner.jobs import KEEPS_DECLARATION
from aep_reconciler.resources import API_VERSION, EXPORT_JOB, NAME_MAX


@dataclass(frozen=True)
class Selector:
    """``tag:KEY=VALUE`` (a tag holding that value) or a glob on the dataset's name."""

    tag: tuple[str, str] | None = None
    glob: str | None = None

    @classmethod
    def parse(cls, text: str) -> Selector:
        if text.startswith("tag:"):
            key, sep, value = text[4:].partition("=")
            if not sep or not key:
                raise ValueError(f"{text!r}: write tag:KEY=VALUE")
            return cls(tag=(key, value))
        return cls(glob=text)

    def matches(self, dataset: Mapping[str, Any]) -> bool:
        if self.tag is not None:
            key, value = self.tag
            return value in tags_of(dataset).get(key, [])
        return fnmatch.fnmatchcase(str(dataset.get("name") or ""), self.glob or "*")


def chosen(dataset: Mapping[str, Any], selectors: Sequence[Selector]) -> bool:
    """Selected by any selector (every dataset when there are none)."""
    return not selectors or any(s.matches(dataset) for s in selectors)


def skip_reason(dataset: Mapping[str, Any], stack: str) -> str | None:
    """Why a dataset is not exported: a lock, or owned by a stack already ("" = silently)."""
    if LOCK_TAG in tags_of(dataset):
        return ""
    owner = owner_stack(dataset)
    if owner == stack:
        return ""  # managed already: its manifest is in the tree (or it is an orphan)
    if owner is not None:
        return f"managed by stack {owner}"
    return None


def slug(text: str, limit: int = NAME_MAX) -> str:
    """A manifest name from a display name: lowercase words joined by ``-``."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
    return name or "dataset"


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... whichever is free; then taken."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = name[: NAME_MAX - len(suffix)].rstrip("-") + suffix
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class Request:
    """One distinct export request into a dataset, and its runs (newest first)."""

    name: str
    runs: tuple[LiveJob, ...]

    @property
    def failed_only(self) -> bool:
        return not any(j.status in KEEPS_DECLARATION for j in self.runs)


def requests(dataset_name: str, jobs: Iterable[LiveJob], taken: set[str]) -> list[Request]:
    """The jobs into one dataset grouped by request, named ``<dataset>-<n>`` oldest first."""
    groups: dict[str, list[LiveJob]] = {}
    for job in sorted(jobs, key=lambda j: (-j.creation_time, j.id)):
        groups.setdefault(job.fingerprint, []).append(job)
    ordered = sorted(groups.values(), key=lambda runs: (runs[-1].creation_time, runs[-1].id))
    base = dataset_name[: NAME_MAX - 4].rstrip("-")
    return [Request(unique(f"{base}-{n}", taken), tuple(runs)) for n, runs in
            enumerate(ordered, start=1)]  # fmt: skip


def job_document(request: Request, dataset_name: str) -> dict[str, Any]:
    """The ExportJob manifest of a request, written from its newest run's answer."""
    spec = {k: v for k, v in request.runs[0].request.items() if v is not None}
    destination = {k: v for k, v in dict(spec.get("destination") or {}).items()}
    destination.pop("datasetId", None)
    spec["destination"] = {"dataset": dataset_name, **destination}
    document: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": EXPORT_JOB,
        "metadata": {"name": request.name},
        "spec": spec,
    }
    if request.failed_only:
        document["lifecycle"] = {"recreateOnFailure": False}
    return document


def job_comment(request: Request) -> str:
    runs = request.runs
    latest = f"job {runs[0].id} {runs[0].status}"
    history = f"{len(runs)} runs, latest {latest}" if len(runs) > 1 else latest
    if request.failed_only:
        return f"Exported from {history}; every run FAILED, so it is not started again."
    return f"Exported from {history}."
