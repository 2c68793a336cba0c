"""The sizes a run measures: the full matrix of issue 7, or a quick one under a minute."""

from __future__ import annotations

from dataclasses import dataclass

LATENCIES_MS = (0.0, 20.0)
PARALLELISM = 16


@dataclass(frozen=True)
class Size:
    datasets: int
    jobs: int
    owned: int  # datasets the stack declares (the rest are foreign)

    @property
    def label(self) -> str:
        return f"{_k(self.datasets)} datasets / {_k(self.jobs)} jobs"


@dataclass(frozen=True)
class Matrix:
    sizes: tuple[Size, ...]
    creates: int  # the apply benchmark's Dataset creates
    refresh_cap: int  # GETs a refresh makes before its time is extrapolated to all objects


def _k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


FULL = Matrix(
    sizes=tuple(Size(d, j, 200) for d in (1_000, 10_000) for j in (1_000, 10_000, 100_000)),
    creates=1_000,
    refresh_cap=5_000,
)
QUICK = Matrix(
    sizes=(Size(1_000, 2_000, 100),),
    creates=200,
    refresh_cap=300,
)
