"""The plan as plain data: Action, Origin, Change, Finding, Plan, and their versioned JSON form.

The applier executes a Plan exactly; everything it needs to make a call is in a Change
(``after`` is the body to send, ``cancel_ids`` the jobs to stop). ``reason`` is for
people and is never read by the applier.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler import __version__
from aep_reconciler.fingerprint import canonical_hash, canonical_json
from aep_reconciler.resources import ResourceKey

# 1.1: a change names the jobs with its very request that the plan saw (``known_job_ids``).
# 1.2: ``undeclared`` marks what no manifest declares any more, ``moved_from`` a rename;
# the summary counts both.
# 1.3: an ExportJob create carries its inventory tag's values (``inventory``), and a change
# with a JSON Patch names the dataset it goes to (``patch_dataset_id``).
# 1.4: the plan says which reconciler made it and when, and its --only scope.
# 1.5: a finding may be ``acknowledged`` (a foreign job acknowledged by id, not drift), and
# the plan may carry ``notes`` (an acknowledged id no longer listed).
# 1.6: an up-to-date recurring export says when its next job falls due (``next_due_ms``).
FORMAT_VERSION = "1.6"


class Action(enum.Enum):
    """What the applier will do; ``symbol`` is what the text plan prints."""

    NOOP = "no-op"
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    CANCEL = "cancel"
    DELETE = "delete"
    ADOPT = "adopt"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def destructive(self) -> bool:
        return self in (Action.REPLACE, Action.CANCEL, Action.DELETE)


_SYMBOLS = {
    Action.NOOP: " ",
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.CANCEL: "-",
    Action.DELETE: "-",
    Action.ADOPT: "=",
}


class Origin(enum.Enum):
    """Why a change is needed: the manifests moved, the platform moved, or both."""

    CONFIG = "config"
    PLATFORM = "platform"
    BOTH = "both"


class FindingType(enum.Enum):
    """Kinds of difference between git and the platform (``reconciler drift``)."""

    MISSING = "missing"  # declared, absent
    CHANGED = "changed"  # a managed object differs from its declaration
    FAILED = "failed"  # the latest job for a declaration FAILED
    STALE = "stale"  # a recurring export's latest job is older than its schedule allows
    UNMANAGED = "unmanaged"  # not ours, inside our scope (a job into a managed dataset)
    ORPHANED = "orphaned"  # owned by the stack, no manifest
    # not ours, inside our scope, and acknowledged by id in reconciler.yaml or a flag:
    # reported, never drift
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Change:
    key: ResourceKey
    action: Action
    reason: str
    id: str | None = None  # the live object acted on (None for a create)
    before: Mapping[str, Any] | None = None  # live values of the fields shown
    after: Mapping[str, Any] | None = None  # the body to send (create) or the patch (update)
    paths: tuple[str, ...] = ()  # fields that differ, or that forced a replacement
    origin: Origin = Origin.CONFIG
    depends_on: tuple[ResourceKey, ...] = ()  # dataset changes that must succeed first
    cancel_ids: tuple[str, ...] = ()  # export jobs to cancel (cancel, replace)
    # JSON Patch a Dataset update sends, or the one an ExportJob sends to its destination first
    dataset_patch: tuple[Mapping[str, Any], ...] = ()
    if_match: str | None = None  # the E-Tag an update or adopt must still find (412 if not)
    blocked: str = ""  # non-empty: refused by a safety rule; the applier skips it
    # Jobs with this very request that the plan saw in the destination (an older FAILED
    # one, say): a create whose answer was lost never takes one of them for its own.
    known_job_ids: tuple[str, ...] = ()
    # No manifest declares this object any more (removed from git): a reviewer is shown
    # what happens to it, even when nothing does (a finished job stays as history).
    undeclared: bool = False
    moved_from: ResourceKey | None = None  # metadata.previousNames: the key it was known as
    # ExportJob create: its manifest's inventory tag as written before the create, ending
    # with the intent that the create answer's id turns into a record (aep_reconciler/inventory.py)
    inventory: tuple[str, ...] = ()
    patch_dataset_id: str | None = None  # where dataset_patch goes (None: the change's own id)
    # A recurring ExportJob with nothing to do yet: when its next job falls due (platform
    # clock, ms); the text and Markdown plans list it, so a reviewer sees the schedule work.
    next_due_ms: int | None = None

    @property
    def kind(self) -> str:
        return self.key.kind

    @property
    def name(self) -> str:
        return self.key.name

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "id": self.id,
            "action": self.action.value,
            "reason": self.reason,
            "origin": self.origin.value,
            "before": _plain(self.before),
            "after": _plain(self.after),
            "paths": list(self.paths),
            "depends_on": [str(k) for k in self.depends_on],
            "cancel_ids": list(self.cancel_ids),
            "known_job_ids": list(self.known_job_ids),
            "inventory": list(self.inventory),
            "patch_dataset_id": self.patch_dataset_id,
            "next_due_ms": self.next_due_ms,
            "dataset_patch": [dict(op) for op in self.dataset_patch],
            "if_match": self.if_match,
            "blocked": self.blocked,
            "undeclared": self.undeclared,
            "moved_from": None if self.moved_from is None else str(self.moved_from),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        moved = data.get("moved_from")
        return cls(
            key=ResourceKey(data["kind"], data["name"]),
            action=Action(data["action"]),
            reason=data.get("reason", ""),
            id=data.get("id"),
            before=data.get("before"),
            after=data.get("after"),
            paths=tuple(data.get("paths", ())),
            origin=Origin(data.get("origin", "config")),
            depends_on=tuple(ResourceKey.parse(k) for k in data.get("depends_on", ())),
            cancel_ids=tuple(data.get("cancel_ids", ())),
            known_job_ids=tuple(data.get("known_job_ids", ())),
            inventory=tuple(data.get("inventory", ())),
            patch_dataset_id=data.get("patch_dataset_id"),
            next_due_ms=data.get("next_due_ms"),
            dataset_patch=tuple(data.get("dataset_patch", ())),
            if_match=data.get("if_match"),
            blocked=data.get("blocked", ""),
            undeclared=bool(data.get("undeclared", False)),
            moved_from=None if moved is None else ResourceKey.parse(moved),
        )


@dataclass(frozen=True)
class Finding:
    kind: str
    name: str
    type: FindingType
    id: str | None = None
    paths: tuple[str, ...] = ()
    detail: str = ""
    live: Mapping[str, Any] | None = None
    declared: Mapping[str, Any] | None = None
    origin: Origin = Origin.PLATFORM  # CONFIG: git moved (not applied yet), not the platform

    @property
    def out_of_band(self) -> bool:
        return self.origin is not Origin.CONFIG

    @property
    def is_drift(self) -> bool:
        """A difference someone has to act on: everything but an acknowledged foreign job."""
        return self.type is not FindingType.ACKNOWLEDGED

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "id": self.id,
            "type": self.type.value,
            "origin": self.origin.value,
            "paths": list(self.paths),
            "detail": self.detail,
            "live": _plain(self.live),
            "declared": _plain(self.declared),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            kind=data["kind"],
            name=data["name"],
            type=FindingType(data["type"]),
            id=data.get("id"),
            paths=tuple(data.get("paths", ())),
            detail=data.get("detail", ""),
            live=data.get("live"),
            declared=data.get("declared"),
            origin=Origin(data.get("origin", "platform")),
        )


@dataclass(frozen=True)
class Observation:
    """What the plan read: the cost, and a fingerprint of every live object in scope."""

    datasets: int = 0
    export_jobs: int = 0
    requests: int = 0
    seconds: float = 0.0
    objects: Mapping[str, str] = field(default_factory=dict)  # "Dataset/<id>" -> fingerprint

    def to_json(self) -> dict[str, Any]:
        return {
            "datasets": self.datasets,
            "export_jobs": self.export_jobs,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "objects": dict(sorted(self.objects.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Observation:
        return cls(
            datasets=int(data.get("datasets", 0)),
            export_jobs=int(data.get("export_jobs", 0)),
            requests=int(data.get("requests", 0)),
            seconds=float(data.get("seconds", 0.0)),
            objects=dict(data.get("objects", {})),
        )


@dataclass(frozen=True)
class Endpoint:
    """Where a plan was made: the platform (a URL, or the embedded platform), org, sandbox."""

    platform: str
    org: str
    sandbox: str
    embedded: bool = False

    def describe(self) -> str:
        where = f"embedded platform ({self.platform})" if self.embedded else self.platform
        return f"{where} · org {self.org} · sandbox {self.sandbox}"

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "org": self.org,
            "sandbox": self.sandbox,
            "embedded": self.embedded,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Endpoint:
        return cls(
            str(data["platform"]), str(data["org"]), str(data["sandbox"]), data["embedded"] is True
        )


@dataclass(frozen=True)
class Resolution:
    """A name in a manifest resolved to the id it has in the target sandbox."""

    kind: str
    name: str
    path: str  # e.g. "spec.filter.segments[0].segmentName"
    reference: str  # the name as written
    id: str

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "reference": self.reference,
            "id": self.id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resolution:
        return cls(data["kind"], data["name"], data["path"], data["reference"], data["id"])


@dataclass(frozen=True)
class Plan:
    stack: str
    target: str
    changes: tuple[Change, ...]
    findings: tuple[Finding, ...] = ()  # every difference between git and the platform
    observation: Observation = field(default_factory=Observation)
    ignored: Mapping[str, int] = field(default_factory=dict)  # "Kind/name" -> fields ignored
    endpoint: Endpoint | None = None  # where it was made (None: not known, e.g. in tests)
    resolved: tuple[Resolution, ...] = ()  # names in manifests → ids in the target sandbox
    created: str = ""  # when it was made, RFC 3339 UTC ("" for a plan built by hand)
    made_by: str = __version__  # the reconciler version that made it
    scope: tuple[ResourceKey, ...] = ()  # --only: the objects planned; () = the whole stack
    notes: tuple[str, ...] = ()  # for people, never a reason to act (a stale acknowledgement)

    @property
    def drift(self) -> tuple[Finding, ...]:
        """Differences made on the platform outside reconciler (not by editing manifests);
        an acknowledged foreign job is not one."""
        return tuple(f for f in self.findings if f.out_of_band and f.is_drift)

    @property
    def actionable(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is not Action.NOOP and not c.blocked)

    @property
    def blocked(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.blocked)

    @property
    def has_changes(self) -> bool:
        return bool(self.actionable or self.blocked)

    @property
    def undeclared(self) -> tuple[Change, ...]:
        """What no manifest declares any more, whatever happens to it."""
        return tuple(c for c in self.changes if c.undeclared)

    def summary(self) -> dict[str, int]:
        counts = {a.value: 0 for a in Action}
        for change in self.changes:
            if not change.blocked and not (change.undeclared and change.action is Action.NOOP):
                counts[change.action.value] += 1
        counts["blocked"] = len(self.blocked)
        counts["drift"] = len(self.drift)
        counts["undeclared"] = len(self.undeclared)
        counts["moved"] = sum(1 for c in self.changes if c.moved_from is not None)
        return counts

    def to_json(self) -> dict[str, Any]:
        out = {
            "format_version": FORMAT_VERSION,
            "reconciler_version": self.made_by,
            "timestamp": self.created or None,
            "stack": self.stack,
            "scope": [str(k) for k in self.scope],
            "target": self.target,
            "endpoint": self.endpoint.to_json() if self.endpoint else None,
            "changes": [c.to_json() for c in self.changes],
            "drift": [f.to_json() for f in self.drift],
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary(),
            "observed": self.observation.to_json(),
            "ignored": dict(sorted(self.ignored.items())),
        }
        if self.resolved:
            out["resolved"] = [r.to_json() for r in self.resolved]
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Plan:
        version = str(data.get("format_version", ""))
        if version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ValueError(f"unsupported plan format_version {version!r}")
        return cls(
            stack=data["stack"],
            target=data["target"],
            changes=tuple(Change.from_json(c) for c in data.get("changes", ())),
            findings=tuple(Finding.from_json(f) for f in data.get("findings", ())),
            observation=Observation.from_json(data.get("observed", {})),
            ignored=dict(data.get("ignored", {})),
            endpoint=Endpoint.from_json(data["endpoint"]) if data.get("endpoint") else None,
            resolved=tuple(Resolution.from_json(r) for r in data.get("resolved", ())),
            created=data.get("timestamp") or "",
            made_by=str(data.get("reconciler_version") or "unknown"),
            scope=tuple(ResourceKey.parse(k) for k in data.get("scope", ())),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )

    def digest(self) -> str:
        """A hash of what the plan would do: two plans that act the same hash the same."""
        acts = [c.to_json() for c in self.changes if c.action is not Action.NOOP]
        for act in acts:
            act.pop("reason", None)
        return canonical_hash(acts)


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(canonical_json(value))


@dataclass(frozen=True)
class PlanOptions:
    allow_destroy: bool = False  # replace or delete datasets (loses data)
    prune: bool = False  # delete owned datasets whose manifest is gone
    allow_empty: bool = False  # let an empty manifest set act on everything the stack owns
    max_deletes: int | None = None  # refuse more deletes/cancels than this
    allow_duplicate: bool = False  # create a dataset even where a lookalike lost its tags
    ignore_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> paths
    only: tuple[ResourceKey, ...] = ()  # plan these objects (and what they need) alone
    replace: tuple[ResourceKey, ...] = ()  # ExportJobs to run again although theirs is kept
    acknowledged: tuple[str, ...] = ()  # ids of foreign export jobs reported, not drift
