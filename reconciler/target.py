"""A resolved target: which platform, which credential, and a client onto it.

Resolution: ``--target`` (or reconciler.yaml's defaultTarget) picks a target; each of its
unset fields falls back to the AEP_* environment variables; with no platform URL anywhere
the target is the embedded platform stored in ``.reconciler/platform.db``. Credentials are
read from the environment variables the target names, never from files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.diagnostics import ConfigError
from reconciler.manifests.project import Project, TargetConfig, select_target
from reconciler.remote import DEFAULT_IMS_URL, DEFAULT_SCOPES, AepClient, Connection, RetryPolicy

ENV_TARGET = "env"
EMBEDDED_TARGET = "embedded"


@dataclass(frozen=True)
class Session:
    target: str
    connection: Connection = field(repr=False)
    embedded_db: Path | None  # set when the target is the embedded platform
    protected: bool = False
    config: TargetConfig | None = None

    def describe(self) -> str:
        if self.embedded_db is not None:
            return (
                f"target {self.target}: embedded platform ({self.embedded_db}, "
                f"sandbox {self.connection.sandbox})"
            )
        return f"target {self.target}: {self.connection.describe()}"

    def client(self, *, retry: RetryPolicy | None = None) -> AepClient:
        transport: Any = None
        if self.embedded_db is not None:
            # Imported here: only an embedded target loads Starlette and SQLite.
            from reconciler.remote.embedded import embedded_transport

            transport = embedded_transport(self.embedded_db, self.connection.sandbox)
        return AepClient(self.connection, transport=transport, retry=retry)

    @property
    def ignore_fields(self) -> Mapping[str, tuple[str, ...]]:
        return self.config.ignore_fields if self.config else {}

    @property
    def variables(self) -> Mapping[str, str]:
        return self.config.variables if self.config else {}


def _env(env: Mapping[str, str], name: str | None) -> str:
    return env.get(name, "").strip() if name else ""


def _credential(env: Mapping[str, str], named: str | None, default: str, target: str) -> str:
    var = named or default
    value = _env(env, var)
    if not value:
        raise ConfigError(f"target {target}: environment variable {var} is not set")
    return value


def resolve(project: Project, name: str | None, env: Mapping[str, str]) -> Session:
    config = select_target(project, name)
    label = (
        config.name if config else ENV_TARGET if _env(env, "AEP_PLATFORM_URL") else EMBEDDED_TARGET
    )
    platform_url = (config.platform_url if config else None) or _env(env, "AEP_PLATFORM_URL")
    sandbox = config.sandbox if config else (_env(env, "AEP_SANDBOX_NAME") or "prod")
    protected = bool(config and config.protected)
    if not platform_url:
        from reconciler.remote.embedded import EMBEDDED_DB, embedded_connection

        return Session(label, embedded_connection(sandbox.lower()), EMBEDDED_DB, protected, config)
    connection = Connection(
        platform_url=platform_url.rstrip("/"),
        ims_url=(
            (config.ims_url if config else None) or _env(env, "AEP_IMS_URL") or DEFAULT_IMS_URL
        ).rstrip("/"),
        org_id=(config.org_id if config else None) or _credential(env, None, "AEP_ORG_ID", label),
        client_id=_credential(
            env, config.client_id_env if config else None, "AEP_CLIENT_ID", label
        ),
        client_secret=_credential(
            env, config.client_secret_env if config else None, "AEP_CLIENT_SECRET", label
        ),
        sandbox=sandbox.lower(),
        scopes=(config.scopes if config else None) or _env(env, "AEP_SCOPES") or DEFAULT_SCOPES,
    )
    return Session(label, connection, None, protected, config)
