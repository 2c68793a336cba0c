"""The AEP client: async httpx calls with auth, retries, paging and error families.

The public surface is this module; everything in ``_``-modules is internal.
``reconciler.remote.embedded`` (the in-process transport onto the embedded platform) is
imported only when a target names the embedded platform, so a plan against Adobe never
loads Starlette or SQLite.
"""

from __future__ import annotations

from reconciler.remote._client import AepClient, RequestStats
from reconciler.remote._config import DEFAULT_IMS_URL, DEFAULT_SCOPES, Connection
from reconciler.remote._retry import RetryPolicy

__all__ = [
    "DEFAULT_IMS_URL",
    "DEFAULT_SCOPES",
    "AepClient",
    "Connection",
    "RequestStats",
    "RetryPolicy",
]
