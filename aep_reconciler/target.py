"""A resolved target: which platform, which credential, and a client onto it.

``--target`` (or reconciler.yaml's defaultTarget) picks a target. reconciler.yaml comes
from whoever writes the pull request, the environment from the workflow, so:

- **the endpoints belong to the workflow**: ``AEP_PLATFORM_URL`` and ``AEP_IMS_URL`` set
  in the environment win over the target's ``platformUrl`` and ``imsUrl``; a URL taken
  from the file must name one of Adobe's hosts, loopback, or a host the environment allows
  (aep_reconciler.endpoints), so a pull request can never send the credential elsewhere;
- **the embedded platform is chosen, never fallen into**: a target is the embedded
  platform (``.reconciler/platform.db``) when it says ``platform: embedded``. A target
  that names no platform at all is refused under ``CI=true`` and when it names
  credentials (CI must never "apply" to a local file), and is the embedded platform
  otherwise, which every header then says;
- credentials come from the environment variables the target names, never from files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aep_reconciler.diagnostics import ConfigError, Diagnostic, ManifestError
from aep_reconciler.endpoints import Role, allowed_hosts, file_url_problem
from aep_reconciler.manifests.project import Project, TargetConfig, select_target
from aep_reconciler.plan import Endpoint
from aep_reconciler.remote import (
    DEFAULT_IMS_URL,
    DEFAULT_SCOPES,
    AepClient,
    Connection,
    RetryPolicy,
)

ENV_TARGET = "env"
EMBEDDED_TARGET = "embedded"


def in_ci(env: Mapping[str, str]) -> bool:
    """CI=true (GitHub Actions, GitLab, most CI systems set it)."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class Session:
    target: str
    connection: Connection = field(repr=False)
    embedded_db: Path | None  # set when the target is the embedded platform
    protected: bool = False
    config: TargetConfig | None = None

    @property
    def endpoint(self) -> Endpoint:
        """Where requests go: the platform URL (or the embedded platform's file), org, sandbox."""
        conn = self.connection
        if self.embedded_db is not None:
            return Endpoint(str(self.embedded_db), conn.org_id, conn.sandbox, embedded=True)
        return Endpoint(conn.platform_url, conn.org_id, conn.sandbox)

    def describe(self) -> str:
        return f"target {self.target}: {self.endpoint.describe()}"

    def client(self, *, retry: RetryPolicy | None = None) -> AepClient:
        transport: Any = None
        if self.embedded_db is not None:
            # Imported here: only an embedded target loads Starlette and SQLite.
            from aep_reconciler.remote.embedded import embedded_transport

            transport = embedded_transport(self.embedded_db, self.connection.sandbox)
        return AepClient(self.connection, transport=transport, retry=retry)

    @property
    def ignore_fields(self) -> Mapping[str, tuple[str, ...]]:
        return self.config.ignore_fields if self.config else {}

    @property
    def acknowledged_jobs(self) -> tuple[str, ...]:
        return self.config.acknowledged_jobs if self.config else ()

    @property
    def variables(self) -> Mapping[str, str]:
        return self.config.variables if self.config else {}


def _env(env: Mapping[str, str], name: str | None) -> str:
    return env.get(name, "").strip() if name else ""


def _credentials(
    env: Mapping[str, str], config: TargetConfig | None, target: str
) -> tuple[str, str, str]:
    """Org id, client id and secret: from the variables the target names, else AEP_*.

    Every variable that is missing is named at once.
    """
    org = config.org_id if config else None
    names = (
        None if org else "AEP_ORG_ID",
        (config.client_id_env if config else None) or "AEP_CLIENT_ID",
        (config.client_secret_env if config else None) or "AEP_CLIENT_SECRET",
    )
    missing = [n for n in names if n is not None and not _env(env, n)]
    if missing:
        noun = "variable" if len(missing) == 1 else "variables"
        verb = "is" if len(missing) == 1 else "are"
        raise ConfigError(
            f"target {target}: environment {noun} {', '.join(missing)} {verb} not set"
        )
    org_id, client_id, secret = (_env(env, n) for n in names)
    return org or org_id, client_id, secret


def _diag(config: TargetConfig, key: str, message: str) -> Diagnostic:
    path = f"targets.{config.name}" + (f".{key}" if key else "")
    return Diagnostic(message, config.at(key), path)


_NAME_A_PLATFORM = (
    "set platformUrl (for Adobe: https://platform.adobe.io), or platform: embedded for the "
    "local embedded platform"
)


def target_problems(config: TargetConfig, env: Mapping[str, str]) -> list[Diagnostic]:
    """Why ``config`` cannot be used in this environment (empty when it can)."""
    out: list[Diagnostic] = []
    extra = allowed_hosts(env)
    for role, key, url, env_name in (
        (Role.PLATFORM, "platformUrl", config.platform_url, "AEP_PLATFORM_URL"),
        (Role.IMS, "imsUrl", config.ims_url, "AEP_IMS_URL"),
    ):
        if url is not None and not _env(env, env_name):
            problem = file_url_problem(role, url, extra)
            if problem:
                out.append(_diag(config, key, problem))
    if config.embedded or config.platform_url or _env(env, "AEP_PLATFORM_URL"):
        return out
    if in_ci(env):
        msg = f"names no platform, and CI=true never uses the embedded one: {_NAME_A_PLATFORM}"
        out.append(_diag(config, "", msg))
    elif config.names_credentials:
        msg = f"names credentials but no platform: {_NAME_A_PLATFORM}"
        out.append(_diag(config, "", msg))
    return out


def _embedded(label: str, sandbox: str, config: TargetConfig | None) -> Session:
    from aep_reconciler.remote.embedded import EMBEDDED_DB, embedded_connection

    protected = bool(config and config.protected)
    return Session(label, embedded_connection(sandbox.lower()), EMBEDDED_DB, protected, config)


def resolve(project: Project, name: str | None, env: Mapping[str, str]) -> Session:
    """The session of target ``name`` (or the default one) in environment ``env``."""
    config = select_target(project, name)
    if config is not None:
        problems = target_problems(config, env)
        if problems:
            raise ManifestError(problems)
    env_platform = _env(env, "AEP_PLATFORM_URL")
    if config is None:
        if not env_platform:
            if in_ci(env):
                raise ConfigError(
                    "no target names a platform and CI=true never falls back to the embedded "
                    "one: set AEP_PLATFORM_URL, or give reconciler.yaml a target with "
                    "platformUrl (or platform: embedded)"
                )
            return _embedded(EMBEDDED_TARGET, _env(env, "AEP_SANDBOX_NAME") or "prod", None)
        return _remote(ENV_TARGET, None, env)
    if env_platform or config.platform_url:
        return _remote(config.name, config, env)
    return _embedded(config.name, config.sandbox, config)


def _remote(label: str, config: TargetConfig | None, env: Mapping[str, str]) -> Session:
    platform_url = _env(env, "AEP_PLATFORM_URL") or (config.platform_url if config else None)
    assert platform_url
    ims_url = _env(env, "AEP_IMS_URL") or (config.ims_url if config else None) or DEFAULT_IMS_URL
    sandbox = config.sandbox if config else (_env(env, "AEP_SANDBOX_NAME") or "prod")
    org_id, client_id, client_secret = _credentials(env, config, label)
    connection = Connection(
        platform_url=platform_url.rstrip("/"),
        ims_url=ims_url.rstrip("/"),
        org_id=org_id,
        client_id=client_id,
        client_secret=client_secret,
        sandbox=sandbox.lower(),
        scopes=(config.scopes if config else None) or _env(env, "AEP_SCOPES") or DEFAULT_SCOPES,
    )
    return Session(label, connection, None, bool(config and config.protected), config)
