"""The platform calls the core depends on, as Protocols: remote.AepClient is the real one.

Each consumer names the narrowest port it needs, so tests can hand it a small fake and the
core never imports the HTTP client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol


class Listing(Protocol):
    """Reading collections: what live state and create recovery need."""

    async def list_datasets(
        self,
        *,
        properties: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        name: str | None = None,
        page_size: int = 100,
    ) -> dict[str, dict[str, Any]]: ...

    def iter_export_job_pages(
        self, *, status: str | None = None, page_size: int = 100
    ) -> AsyncIterator[list[dict[str, Any]]]: ...

    def iter_export_job_range(
        self,
        *,
        after: str | None = None,
        until: str | None = None,
        status: str | None = None,
        page_size: int = 100,
        cursors_out: list[str] | None = None,
    ) -> AsyncIterator[list[dict[str, Any]]]: ...


class DatasetWrites(Protocol):
    async def create_dataset(self, body: Mapping[str, Any]) -> str: ...

    async def patch_dataset(
        self, dataset_id: str, body: Mapping[str, Any], *, if_match: str | None = None
    ) -> None: ...

    async def delete_dataset(self, dataset_id: str) -> None: ...


class DatasetPatching(Protocol):
    async def json_patch_dataset(
        self,
        dataset_id: str,
        ops: Sequence[Mapping[str, Any]],
        *,
        if_match: str | None = None,
    ) -> None: ...


class Locking(Listing, DatasetWrites, DatasetPatching, Protocol):
    """What the lease needs: one dataset read, written with If-Match."""

    async def get_dataset(self, dataset_id: str) -> tuple[dict[str, Any], str | None]: ...


class Applying(Listing, DatasetWrites, DatasetPatching, Protocol):
    """Every write the applier makes."""

    async def create_export_job(self, body: Mapping[str, Any]) -> dict[str, Any]: ...

    async def cancel_export_job(self, job_id: int | str) -> None: ...


class JobReading(Protocol):
    async def get_export_job(self, job_id: int | str) -> dict[str, Any]: ...
