"""Plan + client → events. Executes exactly the plan's changes and decides nothing.

Order comes from the plan: a change waits for the dataset changes it ``depends_on``; inside
one change, cancels come before creates and deletes. Up to ``parallelism`` calls run at
once; a failure skips only the changes that depend on it, everything else goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aep_reconciler.applier.recovery import CreateRecovery
from aep_reconciler.diagnostics import ApiError
from aep_reconciler.events import ApplyResult, Event, Outcome
from aep_reconciler.fingerprint import sibling_key
from aep_reconciler.inventory import bound, job_tag, recorded
from aep_reconciler.ownership import set_tag
from aep_reconciler.plan import Action, Change, Plan
from aep_reconciler.ports import Applying
from aep_reconciler.resources import DATASET, ResourceKey


class _Failed(Exception):
    pass


class Applier:
    def __init__(
        self,
        client: Applying,
        *,
        parallelism: int = 10,
        on_event: Callable[[Event], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._recovery = CreateRecovery(client, sleep=sleep)
        self._slots = asyncio.Semaphore(max(1, parallelism))
        self._on_event = on_event or (lambda e: None)
        self._done: dict[ResourceKey, asyncio.Future[str | None]] = {}
        self._siblings: dict[tuple[str, str], asyncio.Lock] = {}
        self._stack = ""
        self.result = ApplyResult()

    async def apply(self, plan: Plan) -> ApplyResult:
        self._stack = plan.stack
        changes = plan.actionable
        loop = asyncio.get_running_loop()
        for change in changes:
            if change.kind == DATASET:
                self._done.setdefault(change.key, loop.create_future())
        await asyncio.gather(*(self._run(c) for c in changes))
        return self.result

    def _emit(self, event: Event) -> None:
        self.result.events.append(event)
        self._on_event(event)

    async def _run(self, change: Change) -> None:
        missing = await self._dependencies(change)
        if missing is not None:
            self._emit(Event(Outcome.SKIPPED, change, f"skipped: {missing} did not succeed"))
            self._settle(change, failed=True)
            return
        self._emit(Event(Outcome.STARTED, change))
        try:
            new_id = await self._execute(change)
        except ApiError as exc:
            self._emit(Event(Outcome.FAILED, change, str(exc.with_resource(str(change.key)))))
            self._settle(change, failed=True)
            return
        self._settle(change, result=new_id or change.id)
        self._emit(Event(Outcome.SUCCEEDED, change, id=new_id or change.id))

    def _settle(self, change: Change, *, result: str | None = None, failed: bool = False) -> None:
        """Tell the changes waiting on this dataset change whether (and as what id) it exists."""
        future = self._done.get(change.key) if change.kind == DATASET else None
        if future is None or future.done():
            return
        if failed:
            future.set_exception(_Failed())
            future.exception()  # waited on by dependents, if any: never "never retrieved"
        else:
            future.set_result(result)

    async def _dependencies(self, change: Change) -> ResourceKey | None:
        """The first change this one needs that did not succeed, if any."""
        for key in change.depends_on:
            future = self._done.get(key)
            if future is None:
                return key  # not part of this apply (blocked): what needs it cannot run
            try:
                await asyncio.shield(future)
            except _Failed:
                return key
        return None

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        async with self._slots:
            return await fn(*args, **kwargs)

    async def _cancel(self, job_ids: Sequence[str]) -> None:
        for job_id in job_ids:
            try:
                await self._call(self._client.cancel_export_job, job_id)
            except ApiError as exc:
                if exc.status != 404:  # already gone is what we wanted
                    raise

    async def _delete_dataset(self, dataset_id: str) -> None:
        try:
            await self._call(self._client.delete_dataset, dataset_id)
        except ApiError as exc:
            if exc.status != 404:  # a repeated DELETE whose first try went through
                raise

    async def _execute(self, change: Change) -> str | None:
        after = dict(change.after or {})
        if change.kind == DATASET:
            if change.action is Action.CREATE:
                return await self._create_dataset(change, after)
            if change.action in (Action.UPDATE, Action.ADOPT):
                await self._update_dataset(change, after)
                return None
            await self._cancel(change.cancel_ids)
            await self._delete_dataset(str(change.id))
            if change.action is Action.REPLACE:
                return await self._create_dataset(change, after)
            return None
        if change.action is Action.ADOPT:  # an existing job, recorded in its dataset's inventory
            await self._call(
                self._client.json_patch_dataset,
                change.patch_dataset_id,
                list(change.dataset_patch),
                if_match=change.if_match,
            )
            return None
        await self._cancel(change.cancel_ids)
        self.result.cancelled_jobs.extend(change.cancel_ids)
        if change.action is Action.CANCEL:
            if change.dataset_patch and change.patch_dataset_id:  # the cancels are marked
                await self._patch(change.patch_dataset_id, change.dataset_patch)
            return None
        return await self._create_job(change, after)

    async def _patch(self, dataset_id: str, ops: Sequence[Mapping[str, Any]]) -> None:
        await self._call(self._client.json_patch_dataset, dataset_id, list(ops))

    async def _update_dataset(self, change: Change, after: dict[str, Any]) -> None:
        """The plan's JSON Patch when it has one (tags go key by key), else the fields."""
        if change.dataset_patch:
            ops = list(change.dataset_patch)
            await self._call(
                self._client.json_patch_dataset, change.id, ops, if_match=change.if_match
            )
        else:
            await self._call(self._client.patch_dataset, change.id, after, if_match=change.if_match)

    async def _create_job(self, change: Change, body: dict[str, Any]) -> str:
        destination = dict(body["destination"])
        ref = destination.pop("dataset", None)
        if ref is not None:
            destination["datasetId"] = self._done[ResourceKey(DATASET, ref)].result()
        body["destination"] = destination
        dataset_id = str(destination["datasetId"])
        if change.dataset_patch:  # the intent (and cancel marks) go before the create
            await self._patch(change.patch_dataset_id or dataset_id, change.dataset_patch)
        # Jobs whose requests the sparsest answers cannot tell apart are created one at a
        # time, so a create that lost its answer never takes its sibling's job for its own.
        async with self._siblings.setdefault((dataset_id, sibling_key(body)), asyncio.Lock()):
            job_id = await self._recovery.create(
                lambda: self._call(self._client.create_export_job, body),
                lambda since: self._recovery.find_job(
                    dataset_id,
                    body,
                    since,
                    frozenset(change.known_job_ids),
                    after_ms=bound(change.inventory),
                    taken=frozenset(self.result.created_jobs),
                ),
                read_id=lambda job: str(job.get("id")),
            )
            self.result.created_jobs.append(job_id)
        await self._record(change, dataset_id, job_id)
        return job_id

    async def _record(self, change: Change, dataset_id: str, job_id: str) -> None:
        """Turn the intent into a record of the new job's id. If this write fails, the job
        exists all the same: the next plan resolves the intent from the job list."""
        if not change.inventory:
            return  # a dataset the stack does not own
        values = recorded(change.inventory, job_id)
        try:
            await self._patch(dataset_id, [set_tag(job_tag(change.name), values)])
        except ApiError:
            pass

    async def _create_dataset(self, change: Change, body: dict[str, Any]) -> str:
        return await self._recovery.create(
            lambda: self._call(self._client.create_dataset, body),
            lambda since: self._recovery.find_dataset(self._stack, change.name),
            read_id=str,
        )
