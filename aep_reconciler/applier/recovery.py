"""Creates that are never duplicated: after an ambiguous failure, look before trying again.

A create that timed out, lost its connection or got a 5xx may have been committed. Sending
it again blindly would make a second dataset or export job, which is worse than a failure.
So the object is looked for first (a dataset by its ownership tags, a job among the jobs of
its dataset created since, by what the platform's answer shows of its request) and only
created again when absent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from aep_reconciler.backoff import Backoff
from aep_reconciler.diagnostics import ApiError, TransportError
from aep_reconciler.fingerprint import compatible
from aep_reconciler.live import job_fingerprint
from aep_reconciler.ownership import NAME_TAG, STACK_TAG
from aep_reconciler.ports import Listing
from aep_reconciler.wire import job_dataset_id

T = TypeVar("T")
ATTEMPTS = 5
CLOCK_SKEW_MS = 10 * 60 * 1000  # how far the platform's clock may be off from ours
# Half of each wait is kept: a committed create needs a moment to show up in the lists.
BACKOFF = Backoff(base=0.5, cap=8.0, floor=0.5)


def ambiguous(exc: ApiError) -> bool:
    """The platform may or may not have done it: no answer, or a server error."""
    return isinstance(exc, TransportError) or exc.status >= 500


class CreateRecovery:
    def __init__(
        self,
        client: Listing,
        *,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._attempts = attempts
        self._sleep = sleep

    async def create(
        self,
        send: Callable[[], Awaitable[T]],
        find: Callable[[int], Awaitable[str | None]],
        *,
        read_id: Callable[[T], str],
    ) -> str:
        since = int(time.time() * 1000)
        for attempt in range(1, self._attempts + 1):
            try:
                return read_id(await send())
            except ApiError as exc:
                if not ambiguous(exc) or attempt == self._attempts:
                    raise
            await self._sleep(BACKOFF.delay(attempt))
            found = await find(since)
            if found is not None:
                return found
        raise AssertionError("unreachable")  # pragma: no cover

    async def find_dataset(self, stack: str, name: str) -> str | None:
        tags = {STACK_TAG: stack, NAME_TAG: name}
        found = await self._client.list_datasets(tags=tags, properties=("created",))
        if not found:
            return None
        return min(found, key=lambda i: (found[i].get("created") or 0, i))

    async def find_job(
        self,
        dataset_id: str,
        body: Mapping[str, Any],
        since_ms: int,
        known: frozenset[str] = frozenset(),
        *,
        after_ms: int | None = None,
        taken: frozenset[str] = frozenset(),
    ) -> str | None:
        """The job this create made, if the platform lists it: the oldest job into
        ``dataset_id`` created since the first try whose answer shows this request.

        ``known`` (jobs the plan saw), those newer than none of them (``after_ms``: the newest
        job the plan saw in the dataset) and ``taken`` (jobs this apply has accounted for
        already) are never mistaken for it. The answer is compared on what it shows: the
        platform resolves ``mergePolicy`` and may leave out ``fields`` (aep-api.md A.4).
        """
        floor = since_ms - CLOCK_SKEW_MS
        candidates: list[dict[str, Any]] = []
        async for page in self._client.iter_export_job_pages():
            for job in page:
                created = int(job.get("creationTime") or 0)
                if (
                    str(job.get("id")) not in known | taken
                    and job_dataset_id(job) == dataset_id
                    and created >= floor
                    and (after_ms is None or created > after_ms)
                ):
                    candidates.append(job)
            if page and int(page[-1].get("creationTime") or 0) < floor:
                break
        wanted = job_fingerprint(body)
        exact = [j for j in candidates if job_fingerprint(j) == wanted]
        shown = exact or [j for j in candidates if compatible(j, body)]
        if not shown:
            return None
        oldest = min(shown, key=lambda j: (int(j.get("creationTime") or 0), str(j.get("id"))))
        return str(oldest["id"])
