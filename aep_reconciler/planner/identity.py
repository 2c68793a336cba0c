"""Which live export jobs in a dataset are the stack's, and for which manifest (pure).

A job is the stack's when the dataset's inventory (aep_reconciler/inventory.py) records its id.
An intent without a record (the create answer was lost, or the apply was killed) is resolved
from the jobs created after it: the oldest one nobody claims whose answer shows the declared
request. A manifest with no entry at all (its tag was lost to a tool that rewrote the tags
map) claims the jobs whose answers show its request, as identity worked before ids were
recorded. Records of jobs the platform no longer lists are dropped the next time the tag is
written, so the inventory stays bounded by the jobs that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.fingerprint import compatible
from aep_reconciler.inventory import LEGACY_TAG, Entry, is_inventory_tag, job_tag, read, texts
from aep_reconciler.live import LiveJob, LiveState
from aep_reconciler.ownership import remove_tag, set_tag, short_fingerprint, tags_of


@dataclass(frozen=True)
class Declared:
    """An ExportJob manifest into the dataset, as its jobs are recognised."""

    digest: str  # what a job created for it now is recorded with
    digests: frozenset[str]  # every digest that means "this very declaration"
    body: Mapping[str, Any]  # the POST body


@dataclass(frozen=True)
class Claim:
    name: str
    digest: str
    cancelled: bool = False  # the stack asked the platform to cancel it


@dataclass
class Ledger:
    """The inventory of one dataset, resolved against the jobs listed into it."""

    owned: bool  # the stack owns the dataset: its inventory is read and written
    tags: Mapping[str, Sequence[str]]  # the inventory tags as read
    jobs: Sequence[LiveJob]  # listed into the dataset, newest first
    claims: dict[str, Claim] = field(default_factory=dict)  # job id -> claim
    vanished: dict[str, list[Entry]] = field(default_factory=dict)  # records of gone jobs
    pending: dict[str, list[Entry]] = field(default_factory=dict)  # intents no job matched
    named: set[str] = field(default_factory=set)  # manifests with an entry

    def jobs_of(self, name: str) -> list[tuple[LiveJob, Claim]]:
        """The listed jobs claimed for ``name``, newest first."""
        claimed = ((j, self.claims.get(j.id)) for j in self.jobs)
        return [(j, c) for j, c in claimed if c is not None and c.name == name]

    def newest_ms(self) -> int | None:
        """When the newest job listed into the dataset was created (platform clock)."""
        return max((j.creation_time for j in self.jobs), default=None)

    def matching(self, declared: Declared) -> tuple[str, ...]:
        """Listed jobs whose answers show this request (a lost create must not take them)."""
        return tuple(j.id for j in self.jobs if _matches(j, declared.digests, declared))

    def entries(self, name: str, cancel: Iterable[str] = ()) -> list[Entry]:
        """What the tag of ``name`` should hold now: a record per listed job claimed for it,
        oldest first (``cancel`` ids marked cancelled), then its newest unmatched intent per
        digest. Records of jobs no longer listed and resolved intents are left out."""
        cancelling = set(cancel)
        records = [
            Entry(c.digest, j.id, cancelled=c.cancelled or j.id in cancelling)
            for j, c in reversed(self.jobs_of(name))
        ]
        newest: dict[str, Entry] = {}
        for entry in sorted(self.pending.get(name, ()), key=lambda e: e.after_ms or -1):
            newest[entry.digest] = entry
        return [*records, *newest.values()]

    def tidy_ops(self, written: Iterable[str]) -> list[dict[str, Any]]:
        """JSON Patch rewriting each job tag that no change of the plan writes (``written``)
        and that holds something else than ``entries``; the legacy tag goes, carried over."""
        skip = set(written)
        ops: list[dict[str, Any]] = []
        for name in sorted(self.named | {c.name for c in self.claims.values()} - skip):
            key, wanted = job_tag(name), texts(self.entries(name))
            if not wanted and key in self.tags:
                ops.append(remove_tag(key))
            elif wanted and list(self.tags.get(key, ())) != wanted:
                ops.append(set_tag(key, wanted))
        if LEGACY_TAG in self.tags:
            ops.append(remove_tag(LEGACY_TAG))
        return ops


def ledgers_for(
    live: LiveState,
    declared: Mapping[str, Mapping[str, Declared]],
    renamed: Mapping[str, str] | None = None,
) -> dict[str, Ledger]:
    """A ledger for every owned dataset and every other dataset a manifest names by id;
    ``renamed`` maps a manifest's previous names to its name (its jobs are still its own)."""
    ids = set(live.datasets) | set(declared)
    return {
        i: resolve(live.datasets.get(i), live.jobs_into(i), declared.get(i, {}), renamed)
        for i in ids
    }


def resolve(
    dataset: Mapping[str, Any] | None,
    jobs: Sequence[LiveJob],
    declared: Mapping[str, Declared],
    renamed: Mapping[str, str] | None = None,
) -> Ledger:
    """Claim the listed ``jobs`` of an owned ``dataset`` (None: not ours) for manifests."""
    tags = {k: v for k, v in tags_of(dataset or {}).items() if is_inventory_tag(k)}
    ledger = Ledger(dataset is not None, tags, jobs)
    found: dict[str, list[Entry]] = {}
    for name, entries in read(tags).items():
        ledger.named.add(name)  # a renamed manifest's old tag is tidied away
        found.setdefault((renamed or {}).get(name, name), []).extend(entries)
    listed = {j.id: j for j in jobs}
    for name, entries in found.items():
        for entry in entries:
            job = listed.get(entry.job_id) if entry.job_id is not None else None
            if entry.job_id is not None and job is None:
                ledger.vanished.setdefault(name, []).append(entry)
            elif job is not None and (job.id not in ledger.claims or entry.cancelled):
                ledger.claims[job.id] = Claim(name, entry.digest, entry.cancelled)
    intents = [(n, e) for n, entries in found.items() for e in entries if e.job_id is None]
    for name, entry in sorted(intents, key=lambda p: (p[1].after_ms or -1, p[0])):
        if not _recorded(ledger, name, entry):
            _match_intent(ledger, name, entry, declared.get(name))
    for name in sorted(set(declared) - set(found)):
        _claim_by_request(ledger, name, declared[name])
    return ledger


def _newer(job: LiveJob, entry: Entry) -> bool:
    return entry.after_ms is None or job.creation_time > entry.after_ms


def _recorded(ledger: Ledger, name: str, entry: Entry) -> bool:
    """An intent whose job a record names already."""
    return any(c.digest == entry.digest and _newer(j, entry) for j, c in ledger.jobs_of(name))


def _matches(job: LiveJob, digests: Iterable[str], declared: Declared | None) -> bool:
    """The job carries this request: its answer is the request itself (a platform that
    echoes it verbatim), or shows nothing that differs from the declaration."""
    if short_fingerprint(job.fingerprint) in digests:
        return True
    return declared is not None and compatible(job.request, declared.body)


def _match_intent(ledger: Ledger, name: str, entry: Entry, declared: Declared | None) -> None:
    """The oldest unclaimed job created after the intent that carries its request."""
    usable = declared if declared is not None and entry.digest in declared.digests else None
    for job in reversed(ledger.jobs):
        if job.id not in ledger.claims and _newer(job, entry):
            if _matches(job, (entry.digest,), usable):
                ledger.claims[job.id] = Claim(name, entry.digest)
                return
    ledger.pending.setdefault(name, []).append(entry)


def _claim_by_request(ledger: Ledger, name: str, declared: Declared) -> None:
    for job in ledger.jobs:
        if job.id not in ledger.claims and _matches(job, declared.digests, declared):
            digest = short_fingerprint(job.fingerprint)
            ledger.claims[job.id] = Claim(
                name, digest if digest in declared.digests else declared.digest
            )
