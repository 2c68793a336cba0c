"""The destroy plan: every owned object goes, the lock dataset after every other delete."""

from __future__ import annotations

from aep_reconciler.plan import Action
from aep_reconciler.planner.teardown import lock_key, teardown
from tests.test_planner import STACK, applied, dataset, job, manifests, plan


def test_the_lock_goes_last_after_every_dataset_delete() -> None:
    live = applied(manifests(dataset("a"), dataset("b"), job("x", "a")), job_status="NEW")
    p = teardown(plan(manifests(), live, prune=True, allow_empty=True, allow_destroy=True), "L1")
    deletes = [c for c in p.changes if c.action is Action.DELETE]
    assert [c.name for c in deletes] == ["a", "b", f"reconciler-lock:{STACK}"]
    lock = deletes[-1]
    assert (lock.key, lock.id, lock.blocked) == (lock_key(STACK), "L1", "")
    assert lock.depends_on == tuple(c.key for c in deletes[:2])
    assert (
        deletes[0].reason == "destroy: deleted with its data; its running jobs are cancelled first"
    )
    assert deletes[0].cancel_ids == (live.jobs[0].id,) and deletes[1].cancel_ids == ()
    assert [c for c in p.changes if c.action is Action.CANCEL] == []  # they go with "a"


def test_anything_blocked_keeps_the_lock() -> None:
    live = applied(manifests(dataset("a")))
    p = teardown(plan(manifests(), live, prune=True, allow_empty=True), "L1")
    lock = p.changes[-1]
    assert lock.blocked == "kept while Dataset/a stays (blocked)"
    assert len(p.blocked) == 2


def test_an_empty_stack_loses_only_its_lock() -> None:
    p = teardown(plan(manifests(), prune=True, allow_empty=True), "L1")
    assert [(c.key, c.action) for c in p.changes] == [(lock_key(STACK), Action.DELETE)]
    assert teardown(plan(manifests(), prune=True, allow_empty=True), None).changes == ()
