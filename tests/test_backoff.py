"""The one backoff policy: doubling, capped, jittered, and a server's hint taking its place."""

from __future__ import annotations

from aep_reconciler.applier import lease, recovery
from aep_reconciler.backoff import Backoff


def test_backoff_doubles_and_is_capped() -> None:
    policy = Backoff(base=0.5, cap=3.0)
    worst = [policy.delay(n, rand=lambda: 1.0) for n in range(1, 7)]
    assert worst == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_backoff_is_fully_jittered() -> None:
    policy = Backoff(base=1.0, cap=10.0)
    assert policy.delay(3, rand=lambda: 0.0) == 0.0
    assert policy.delay(3, rand=lambda: 0.25) == 1.0


def test_a_floor_keeps_that_share_of_each_wait() -> None:
    policy = Backoff(base=1.0, cap=10.0, floor=0.5)
    assert policy.delay(3, rand=lambda: 0.0) == 2.0
    assert policy.delay(3, rand=lambda: 0.5) == 3.0
    assert policy.delay(3, rand=lambda: 1.0) == 4.0


def test_huge_failure_counts_do_not_overflow() -> None:
    assert Backoff(cap=7.0).delay(10_000, rand=lambda: 1.0) == 7.0


def test_a_hint_replaces_the_backoff() -> None:
    policy = Backoff(base=0.1, cap=0.2)
    assert policy.delay(1, hint=5.0, rand=lambda: 1.0) == 5.0
    assert policy.delay(1, hint=None, rand=lambda: 1.0) == 0.1


def test_apply_time_loops_wait_at_least_half_of_each_step() -> None:
    """Recovery looks again only after giving a committed create time to show in the lists."""
    for policy in (recovery.BACKOFF, lease.BACKOFF):
        floors = [policy.delay(n, rand=lambda: 0.0) for n in range(1, 5)]
        ceilings = [policy.delay(n, rand=lambda: 1.0) for n in range(1, 5)]
        assert all(f == c / 2 > 0 for f, c in zip(floors, ceilings, strict=True))
        assert ceilings == sorted(ceilings) and ceilings[-1] <= policy.cap
