"""Dataset declarations + owned live datasets → changes and findings (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.live import LiveState
from aep_reconciler.ownership import (
    applied_digests,
    field_digests,
    manifest_name,
    ownership_tags,
    platform_tags,
    tag_ops,
    tags_of,
    user_tags,
)
from aep_reconciler.plan import Action, Change, Finding, FindingType, Origin
from aep_reconciler.planner.diffing import changed_paths, project, without_paths
from aep_reconciler.planner.lookalikes import Lookalike
from aep_reconciler.resources import DATASET, DesiredDataset, ResourceKey

# Fields Catalog changes in place with PATCH; a change to any other declared field
# (schemaRef, fileDescription, ...) needs a new dataset, which loses the data in the old one.
IN_PLACE_FIELDS = frozenset({"name", "description", "tags"})


@dataclass
class DatasetOutcome:
    """What the job planner needs to know about one declared dataset."""

    id: str | None  # the live dataset jobs go into now (None: created by this plan)
    action: Action
    live: Mapping[str, Any] | None = None


@dataclass
class DatasetPlan:
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    outcomes: dict[str, DatasetOutcome] = field(default_factory=dict)  # manifest name -> outcome
    ignored: dict[str, int] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)  # live ids a declaration took (a move)


def declared_view(body: Mapping[str, Any], ignore: Iterable[str]) -> tuple[dict[str, Any], int]:
    """The fields a Dataset manifest manages: its body, user tags only, minus ignored paths."""
    declared = {k: v for k, v in body.items() if k != "tags"}
    declared["tags"] = user_tags(body.get("tags"))
    return without_paths(declared, ignore)


def live_view(
    live: Mapping[str, Any], declared: Mapping[str, Any], ignore: Iterable[str] = ()
) -> dict[str, Any]:
    """The live values of exactly the declared fields (all user tags: a stack owns its tags)."""
    shape = {k: v for k, v in declared.items() if k != "tags"}
    view: dict[str, Any] = project({k: v for k, v in live.items() if k != "tags"}, shape)
    if "tags" in declared:
        view["tags"] = user_tags(tags_of(live))
    return without_paths(view, ignore)[0]


def origin_of(
    paths: Iterable[str],
    declared: Mapping[str, Any],
    view: Mapping[str, Any],
    live: Mapping[str, Any],
) -> Origin:
    """Per changed field: did git move (digest differs from last applied) or the platform?"""
    applied = applied_digests(live)
    wanted = field_digests(declared)
    current = field_digests(view)
    origins: set[Origin] = set()
    for root in {p.split(".")[0] for p in paths}:
        before = applied.get(root)
        if before is not None and before == wanted.get(root):
            origins.add(Origin.PLATFORM)
        elif before is not None and before != current.get(root):
            origins.add(Origin.BOTH)
        else:
            origins.add(Origin.CONFIG)
    if len(origins) == 1:
        return origins.pop()
    return Origin.BOTH


def create_body(
    desired: DesiredDataset,
    stack: str,
    declared: Mapping[str, Any],
    job_tags: Mapping[str, list[str]],
) -> dict[str, Any]:
    """The POST body: our marks, and the intents of the jobs to be created into it, are in
    the create itself, so a dataset that exists is always findable and accounted for."""
    body = dict(desired.body)
    body["tags"] = {
        **user_tags(body.get("tags")),
        **ownership_tags(stack, desired.key.name, declared),
        **job_tags,
    }
    return body


def update_body(
    desired: DesiredDataset,
    stack: str,
    declared: Mapping[str, Any],
    live: Mapping[str, Any],
    paths: Iterable[str],
) -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    """The update as fields (what the plan shows) and as the JSON Patch the applier sends.

    Changed in-place fields are set; the user's tags and our ownership marks are written key
    by key (a tag the manifest dropped is removed); Adobe's tags and the job inventory are
    never touched.
    """
    roots = {p.split(".")[0] for p in paths}
    body = {k: desired.body[k] for k in sorted(roots) if k != "tags" and k in desired.body}
    current = tags_of(live)
    tags = user_tags(desired.body.get("tags")) if "tags" in declared else user_tags(current)
    wanted = {**tags, **ownership_tags(stack, desired.key.name, declared)}
    ops = [{"op": "add", "path": f"/{k}", "value": v} for k, v in body.items()]
    ops += tag_ops(current, wanted, [*wanted, *user_tags(current)])
    body["tags"] = {**platform_tags(current), **wanted}
    return body, tuple(ops)


def plan_dataset(
    desired: DesiredDataset,
    matches: list[tuple[str, dict[str, Any]]],
    *,
    stack: str,
    ignore: tuple[str, ...],
    job_tags: Mapping[str, list[str]],
    result: DatasetPlan,
    may_replace: bool = True,
    moved_from: ResourceKey | None = None,
    seen: Lookalike | str | None = None,
) -> None:
    """``matches``: the live datasets carrying the manifest's name, oldest first (for a
    rename: those carrying the name ``moved_from`` it had before)."""
    name = desired.key.name
    declared, n_ignored = declared_view(desired.body, ignore)
    if n_ignored:
        result.ignored[str(desired.key)] = n_ignored
    if not matches:
        body = create_body(desired, stack, declared, job_tags)
        _plan_create(desired, declared, body, result, seen)
        return
    live_id, live = matches[0]
    for dup_id, _ in matches[1:]:
        result.findings.append(
            Finding(
                DATASET,
                name,
                FindingType.ORPHANED,
                id=dup_id,
                detail=f"a second dataset carries this manifest name (kept {live_id})",
            )
        )
    result.claimed.add(live_id)
    view = live_view(live, declared, ignore)
    paths = changed_paths(view, declared)
    if not paths and moved_from is None:
        result.changes.append(Change(desired.key, Action.NOOP, "in sync", id=live_id))
        result.outcomes[name] = DatasetOutcome(live_id, Action.NOOP, live)
        return
    if moved_from is not None:
        result.findings.append(_move_finding(desired, live_id, moved_from))
    if not paths:
        body, ops = update_body(desired, stack, declared, live, ())
        move = Change(desired.key, Action.UPDATE, "", id=live_id, after=body, dataset_patch=ops)
        result.changes.append(_moved(move, moved_from))
        result.outcomes[name] = DatasetOutcome(live_id, Action.UPDATE, live)
        return
    origin = origin_of(paths, declared, view, live)
    before = {k: view.get(k) for k in sorted({p.split(".")[0] for p in paths})}
    result.findings.append(
        Finding(
            DATASET,
            name,
            FindingType.CHANGED,
            id=live_id,
            paths=paths,
            detail=_changed_detail(origin),
            live=before,
            declared={k: declared.get(k) for k in before},
            origin=origin,
        )
    )
    replace_paths = tuple(p for p in paths if p.split(".")[0] not in IN_PLACE_FIELDS)
    if replace_paths:
        body = create_body(desired, stack, declared, job_tags)
        fields = ", ".join(sorted({p.split(".")[0] for p in replace_paths}))
        reason = (
            f"{fields} cannot change after creation: a new dataset replaces it "
            "and the data in the old one is lost"
        )
        change = Change(
            desired.key, Action.REPLACE, reason, id=live_id, before=before, after=body,
            paths=replace_paths, origin=origin,
        )  # fmt: skip
        result.changes.append(_moved(change, moved_from))
        # A refused replacement leaves the dataset where it is: its jobs are planned against it.
        kept = Action.REPLACE if may_replace else Action.NOOP
        result.outcomes[name] = DatasetOutcome(live_id, kept, live)
        return
    body, ops = update_body(desired, stack, declared, live, paths)
    change = Change(
        desired.key, Action.UPDATE, _update_reason(origin), id=live_id, before=before,
        after=body, paths=paths, origin=origin, dataset_patch=ops,
    )  # fmt: skip
    result.changes.append(_moved(change, moved_from))
    result.outcomes[name] = DatasetOutcome(live_id, Action.UPDATE, live)


def _plan_create(
    desired: DesiredDataset,
    declared: dict[str, Any],
    body: dict[str, Any],
    result: DatasetPlan,
    seen: Lookalike | str | None,
) -> None:
    """``seen``: a live dataset that looks like it, or the id of the one the stack had."""
    reason, origin, seen_id = "declared, not on the platform", Origin.CONFIG, None
    detail = reason
    if isinstance(seen, str):  # the stack's record names it, and it is gone
        seen_id, origin = seen, Origin.PLATFORM
        detail = f"dataset {seen} was deleted outside reconciler"
        reason = f"{detail}: creating it again"
    elif seen is not None:
        seen_id = seen.id
        if seen.stack_name is None:  # someone rewrote its tags: the dataset is still there
            detail = f"dataset {seen.id} has its name and schema but lost its ownership tags"
            origin = Origin.PLATFORM
        else:
            detail = f"dataset {seen.id} has its name and schema, tagged {seen.stack_name}"
    result.changes.append(Change(desired.key, Action.CREATE, reason, after=body, origin=origin))
    result.findings.append(
        Finding(
            DATASET,
            desired.key.name,
            FindingType.MISSING,
            id=seen_id,
            detail=detail,
            declared=declared,
            origin=origin,
        )
    )
    result.outcomes[desired.key.name] = DatasetOutcome(None, Action.CREATE)


MOVED = "renamed from {old} (metadata.previousNames): its ownership tag is rewritten"


def _moved(change: Change, moved_from: ResourceKey | None) -> Change:
    """A change to a dataset found under its previous name: it also rewrites the name tag."""
    if moved_from is None:
        return change
    reason = MOVED.format(old=moved_from.name)
    if change.reason:
        reason = f"{reason}; {change.reason}"
    else:
        reason += ", nothing is created or exported again"
    return dataclasses.replace(change, reason=reason, moved_from=moved_from)


def _move_finding(desired: DesiredDataset, live_id: str, old: ResourceKey) -> Finding:
    return Finding(
        DATASET,
        desired.key.name,
        FindingType.CHANGED,
        id=live_id,
        paths=("metadata.name",),
        detail=f"renamed from {old.name} in the manifests, not applied yet",
        live={"metadata": {"name": old.name}},
        declared={"metadata": {"name": desired.key.name}},
        origin=Origin.CONFIG,
    )


def _changed_detail(origin: Origin) -> str:
    return {
        Origin.CONFIG: "the manifest changed since the last apply",
        Origin.PLATFORM: "changed on the platform outside reconciler",
        Origin.BOTH: "changed both in the manifest and on the platform",
    }[origin]


def _update_reason(origin: Origin) -> str:
    return {
        Origin.CONFIG: "manifest changed",
        Origin.PLATFORM: "changed outside reconciler: reverting to the manifest",
        Origin.BOTH: "changed in the manifest and outside reconciler: the manifest wins",
    }[origin]


PRUNE_HINT = "--prune --allow-destroy deletes it and its data"


def plan_orphans(
    live: LiveState,
    declared_names: set[str],
    prune: bool,
    result: DatasetPlan,
    cancelled: Set[str] = frozenset(),
) -> None:
    """Owned datasets whose manifest is gone: always a finding and a line in the plan;
    deleted (with their active jobs cancelled first, unless their cancel was asked for
    already: ``cancelled``) only with ``prune``."""
    for live_id, dataset in sorted(live.datasets.items()):
        name = manifest_name(dataset) or ""
        if name in declared_names or live_id in result.claimed:
            continue
        key = ResourceKey(DATASET, name or live_id)
        result.findings.append(
            Finding(
                DATASET,
                key.name,
                FindingType.ORPHANED,
                id=live_id,
                detail="owned by this stack, no manifest declares it",
                origin=Origin.CONFIG,
            )
        )
        if not prune:
            reason = f"no manifest declares it; kept: {PRUNE_HINT}"
            result.changes.append(Change(key, Action.NOOP, reason, id=live_id, undeclared=True))
            continue
        active = tuple(j.id for j in live.jobs_into(live_id) if j.active and j.id not in cancelled)
        result.changes.append(
            Change(
                key,
                Action.DELETE,
                "no manifest declares it; --prune deletes it and its data",
                id=live_id,
                before=dataset,
                cancel_ids=active,
                undeclared=True,
            )
        )
