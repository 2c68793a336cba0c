"""The embedded platform as a target: an in-process transport onto the emulator's ASGI app.

The only module of the core that imports the emulator; nothing crosses a socket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.emulator import EmulatorConfig, Platform, create_app
from aep_reconciler.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID
from aep_reconciler.emulator.database import DatabaseUnavailable
from aep_reconciler.remote import Connection

EMBEDDED_DB = Path(".reconciler") / "platform.db"
EMBEDDED_BASE = "http://127.0.0.1"  # never dialled: the transport answers in process


def embedded_connection(sandbox: str = "prod") -> Connection:
    return Connection(
        platform_url=EMBEDDED_BASE,
        ims_url=EMBEDDED_BASE,
        org_id=DEFAULT_ORG_ID,
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        sandbox=sandbox,
        well_known_secret=True,
    )


class _EmbeddedTransport(httpx.ASGITransport):
    """Closing the client closes the platform it hosts: an export it started finishes and is
    recorded first, so no export is left half done when the command ends."""

    def __init__(self, app: Any) -> None:  # the emulator's Starlette app
        super().__init__(app=app)
        self._platform: Platform = app.state.platform

    async def aclose(self) -> None:
        self._platform.close()


def embedded_transport(
    db_path: Path = EMBEDDED_DB, sandbox: str = "prod"
) -> httpx.AsyncBaseTransport:
    """An ASGI transport onto the embedded platform stored in ``db_path`` (created if new).

    The platform refuses sandboxes it does not have; the target's own sandbox is one.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        app = create_app(EmulatorConfig(db_path=str(db_path), sandboxes=(sandbox,)))
    except DatabaseUnavailable as exc:  # locked (after a wait), not SQLite, or read-only
        raise ConfigError(f"the embedded platform's database {exc}") from None
    return _EmbeddedTransport(app)
