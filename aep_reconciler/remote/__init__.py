"""The AEP client: async httpx calls with auth, retries, paging and error families.

The public surface is this module; everything in ``_``-modules is internal.
``aep_reconciler.remote.embedded`` (the in-process transport onto the embedded platform) is
imported only when a target names the embedded platform, so a plan against Adobe never
loads Starlette or SQLite.
"""

from __future__ import annotations

from aep_reconciler.remote._client import AepClient, RequestStats
from aep_reconciler.remote._config import DEFAULT_IMS_URL, DEFAULT_SCOPES, Connection
from aep_reconciler.remote._retry import RetryPolicy

__all__ = [
    "DEFAULT_IMS_URL",
    "DEFAULT_SCOPES",
    "AepClient",
    "Connection",
    "RequestStats",
    "RetryPolicy",
]
