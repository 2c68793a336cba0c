"""The steps plan, apply and drift share: load the tree, resolve the target, read, plan."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aep_reconciler.applier.record import read_record
from aep_reconciler.diagnostics import ConfigError, display_path
from aep_reconciler.live import LiveState, find_lookalikes, observe, split_points
from aep_reconciler.manifests.project import Project, load_project, select_target
from aep_reconciler.manifests.tree import default_root, load_manifests
from aep_reconciler.manifests.variables import from_environment
from aep_reconciler.plan import Plan, PlanOptions, Resolution
from aep_reconciler.planner import make_plan
from aep_reconciler.references import resolve_names, wants_audiences, wants_policies
from aep_reconciler.remote import AepClient
from aep_reconciler.remote import _cursors as cursor_cache
from aep_reconciler.resources import ManifestSet, ResourceKey
from aep_reconciler.target import Session, resolve

EMPTY = ManifestSet((), (), ())


@dataclass(frozen=True)
class Context:
    root: Path
    project: Project
    session: Session
    manifests: ManifestSet
    variables: Mapping[str, str] = field(default_factory=dict)  # --var / RECONCILER_VAR_*

    @property
    def stack(self) -> str:
        return self.project.stack

    def reload(self) -> ManifestSet:
        """The manifests read again (after a command wrote some), with the same variables."""
        config = self.session.config
        return load_manifests(
            self.root, self.project, config.name if config else None, self.variables
        )


def load_context(
    path: str | None,
    target: str | None,
    env: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
    *,
    allow_empty: bool = False,
) -> Context:
    """Everything offline: manifests validated, target resolved; raises ReconcilerError.

    ``variables`` (``--var``) win over ``RECONCILER_VAR_*`` in ``env``, which win over
    reconciler.yaml. ``allow_empty``: a tree with no manifest file is an empty set, not an
    error.
    """
    env = os.environ if env is None else env
    root = Path(path) if path else default_root()
    project = load_project(root)
    config = select_target(project, target)
    name = config.name if config else None
    overrides = {**from_environment(env), **(variables or {})}
    manifests = load_manifests(root, project, name, overrides, allow_empty=allow_empty)
    return Context(root, project, resolve(project, target, env), manifests, overrides)


def load_stack(
    path: str | None, target: str | None, env: Mapping[str, str] | None = None
) -> Context:
    """The project and its target, without reading a manifest (destroy needs none)."""
    env = os.environ if env is None else env
    root = Path(path) if path else default_root()
    project = load_project(root)
    return Context(root, project, resolve(project, target, env), EMPTY)


def require_stack(ctx: Context, command: str) -> None:
    """Commands that change the platform (or judge it) need a stack someone chose.

    Without reconciler.yaml the stack is the folder's name, and two unrelated trees in
    folders of the same name would act on each other's objects.
    """
    if ctx.project.config_file is None:
        raise ConfigError(
            f"{command} needs an explicit stack: no reconciler.yaml names one for "
            f"{display_path(ctx.root)} (write one with 'stack: NAME'; the folder name "
            f"'{ctx.project.stack}' is used by plan only)"
        )


def literal_dataset_ids(manifests: ManifestSet) -> set[str]:
    """Destinations given as ids: jobs into them are in scope even if we do not own them."""
    return {
        str(job.body["destination"]["datasetId"])
        for job in manifests.export_jobs
        if job.dataset is None
    }


async def read_live(ctx: Context, client: AepClient) -> LiveState:
    key = f"{client.connection.org_id}/{client.connection.sandbox}"
    state = await observe(
        client,
        ctx.stack,
        literal_dataset_ids(ctx.manifests),
        request_count=lambda: client.stats.requests,
        partitions=cursor_cache.load(key),
        now_ms=client.platform_now_ms,
    )
    cursor_cache.save(key, split_points(state.job_cursors, cursor_cache.STREAMS))
    names = unmatched_names(ctx.manifests, state)
    if names:
        state.lookalikes = await find_lookalikes(client, names, state.datasets)
        state.recorded = await read_record(client, ctx.stack)
        state.requests = client.stats.requests
    return state


def unmatched_names(manifests: ManifestSet, live: LiveState) -> list[str]:
    """Display names of the declared datasets no owned dataset matches (a create ahead)."""
    return [
        str(d.body.get("name") or "")
        for d in manifests.datasets
        if not any(live.datasets_named(n) for n in (d.key.name, *d.previous_names))
    ]


References = tuple[ManifestSet, tuple[Resolution, ...]]


async def resolve_references(ctx: Context, client: AepClient, manifests: ManifestSet) -> References:
    """Check merge policy and audience references (one list per kind that is referred to)
    and replace names by ids; ManifestError names each reference the sandbox lacks."""
    audiences = await client.list_segment_definitions() if wants_audiences(manifests) else None
    policies = await client.list_merge_policies() if wants_policies(manifests) else None
    where = f"sandbox {client.connection.sandbox} (target {ctx.session.target})"
    return resolve_names(manifests, audiences, policies, where)


async def plan_for(
    ctx: Context,
    client: AepClient,
    options: PlanOptions,
    manifests: ManifestSet | None = None,
    *,
    references: References | None = None,
) -> Plan:
    """Plan ``manifests`` (default: the context's); ``references`` when already resolved."""
    if references is None:
        references = await resolve_references(ctx, client, manifests or ctx.manifests)
    resolved, names = references
    live = await read_live(ctx, client)
    plan = make_plan(
        resolved,
        live,
        stack=ctx.stack,
        target=ctx.session.target,
        options=options,
    )
    check_scope(plan, options)
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    plan = dataclasses.replace(plan, endpoint=ctx.session.endpoint, created=now)
    return dataclasses.replace(plan, resolved=names) if names else plan


def check_scope(plan: Plan, options: PlanOptions) -> None:
    """Every --only and --replace names something the plan knows, or nothing is planned."""
    known = {c.key for c in plan.changes} | {ResourceKey(f.kind, f.name) for f in plan.findings}
    unknown = [str(k) for k in (*options.only, *options.replace) if k not in known]
    if unknown:
        raise ConfigError(
            f"{', '.join(unknown)}: not in this plan (no manifest declares it, the stack owns "
            "no such object, or --only leaves it out)"
        )
