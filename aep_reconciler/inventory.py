"""The job inventory: the export jobs a stack created into a dataset, by id, on the dataset.

Export jobs carry no tags, and the platform's answers do not echo a job's request (Adobe
answers a resolved ``mergePolicy``, no ``evaluationInfo``, a create answer without
``fields``: aep-api.md A.4), so a job is known by its **id**, recorded on its destination
dataset. Each ExportJob manifest that created jobs into a dataset has a tag
``reconciler-job.<name>`` there; each value is one of:

    <digest>                   intent: a job with this spec digest is about to be created
    <digest>@<ms>              intent whose job will be newer than <ms>: the newest job the
                               plan saw in the dataset, on the platform's clock
    <digest>#<id>              record: job <id> was created for the spec with this digest
    <digest>#<id>-cancelled    record of a job whose cancel the stack asked for

An intent is written before the create and turned into a record once the answer names the
id, so an apply killed at any point leaves nothing that cannot be accounted for. One tag per
manifest means each change writes only its own tag, whole (idempotent when repeated), and
never races another change of the same apply. The ``reconciler-jobs`` tag of earlier
versions (``<name>=<digest>`` values) is read as intents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

JOB_TAG_PREFIX = "reconciler-job."
LEGACY_TAG = "reconciler-jobs"
CANCELLED = "-cancelled"
_VALUE = re.compile(
    r"^(?P<digest>[0-9a-f]{1,64})(?:@(?P<after>\d+)|#(?P<id>[^#@\s]+?)(?P<x>-cancelled)?)?$"
)


@dataclass(frozen=True)
class Entry:
    """One value of a job tag: an intent (no ``job_id``) or a record."""

    digest: str
    job_id: str | None = None
    after_ms: int | None = None  # an intent's job is newer than this (platform clock)
    cancelled: bool = False

    @property
    def is_record(self) -> bool:
        return self.job_id is not None

    def text(self) -> str:
        if self.job_id is not None:
            return f"{self.digest}#{self.job_id}{CANCELLED if self.cancelled else ''}"
        return self.digest if self.after_ms is None else f"{self.digest}@{self.after_ms}"

    def recorded(self, job_id: str) -> Entry:
        """The record this intent becomes once the create answer names ``job_id``."""
        return Entry(self.digest, job_id)

    def cancel(self) -> Entry:
        return replace(self, cancelled=True)

    @classmethod
    def parse(cls, text: str) -> Entry | None:
        match = _VALUE.match(text)
        if match is None:
            return None
        after, job_id = match["after"], match["id"]
        return cls(match["digest"], job_id, int(after) if after else None, bool(match["x"]))


def intent(digest: str, after_ms: int | None = None) -> Entry:
    return Entry(digest, after_ms=after_ms)


def job_tag(name: str) -> str:
    """The tag holding the inventory of manifest ``name``."""
    return f"{JOB_TAG_PREFIX}{name}"


def is_inventory_tag(key: str) -> bool:
    return key == LEGACY_TAG or key.startswith(JOB_TAG_PREFIX)


def read(tags: Mapping[str, Sequence[str]]) -> dict[str, list[Entry]]:
    """Manifest name → its entries, as written (unreadable values are skipped)."""
    found: dict[str, list[Entry]] = {}
    for key, values in sorted(tags.items()):
        if key.startswith(JOB_TAG_PREFIX):
            name = key.removeprefix(JOB_TAG_PREFIX)
            found.setdefault(name, []).extend(e for e in map(Entry.parse, values) if e)
        elif key == LEGACY_TAG:
            for value in values:
                name, sep, digest = value.rpartition("=")
                entry = Entry.parse(digest) if sep and name else None
                if entry is not None and not entry.is_record:
                    found.setdefault(name, []).append(Entry(entry.digest))
    return {name: _unique(entries) for name, entries in found.items()}


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    return list(dict.fromkeys(entries))


def texts(entries: Iterable[Entry]) -> list[str]:
    return [e.text() for e in entries]


def recorded(values: Sequence[str], job_id: str) -> list[str]:
    """A job tag's values as written before a create, its last one (the intent) recorded
    as job ``job_id``."""
    last = Entry.parse(values[-1]) if values else None
    if last is None or last.is_record:
        raise ValueError(f"no intent to record in {list(values)!r}")
    return [*values[:-1], last.recorded(job_id).text()]


def bound(values: Sequence[str]) -> int | None:
    """The ``after_ms`` of the intent a job tag's values end with (None: no bound)."""
    last = Entry.parse(values[-1]) if values else None
    return last.after_ms if last is not None else None
