"""The project: reconciler.yaml (stack, targets, variables), found and read with its problems."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from aep_reconciler.diagnostics import (
    ConfigError,
    Diagnostic,
    ManifestError,
    SourceRange,
    display_path,
)
from aep_reconciler.manifests.documents import Document, format_path, load_file
from aep_reconciler.manifests.model_errors import diagnostics_from
from aep_reconciler.manifests.project_model import (
    ProjectModel,
    TargetModel,
    VarValue,
    config_rules,
    literal_secret_keys,
)
from aep_reconciler.manifests.secrets import find_secrets

CONFIG_NAMES = ("reconciler.yaml", "reconciler.yml")


@dataclass(frozen=True)
class TargetConfig:
    name: str
    platform_url: str | None  # None: the embedded platform if named so (see embedded)
    ims_url: str | None
    org_id: str | None
    sandbox: str
    client_id_env: str | None  # NAME of the env var holding the client id
    client_secret_env: str | None  # NAME of the env var holding the secret
    scopes: str | None
    protected: bool
    variables: Mapping[str, str]
    ignore_fields: Mapping[str, tuple[str, ...]]  # kind -> spec-relative paths
    embedded: bool = False  # ``platform: embedded``
    acknowledged_jobs: tuple[str, ...] = ()  # foreign export job ids: reported, not drift
    # where the target ("") and each field it sets are written, for diagnostics
    where: Mapping[str, SourceRange] = field(default_factory=dict)

    @property
    def names_credentials(self) -> bool:
        return any((self.org_id, self.client_id_env, self.client_secret_env))

    def at(self, key: str) -> SourceRange | None:
        return self.where.get(key) or self.where.get("")


@dataclass(frozen=True)
class Project:
    root: Path
    stack: str
    targets: Mapping[str, TargetConfig]
    default_target: str | None
    config_file: Path | None
    variables: Mapping[str, str] = field(default_factory=dict)  # shared defaults


def _text(value: VarValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _where(doc: Document, name: str, model: TargetModel) -> dict[str, SourceRange]:
    where = {"": doc.at(("targets", name), key=True)}
    for key in model.model_fields_set:
        where[key] = doc.at(("targets", name, key))
    return where


def _target(
    name: str, model: TargetModel, shared: Mapping[str, VarValue], doc: Document
) -> TargetConfig:
    variables = {k: _text(v) for k, v in {**shared, **model.variables}.items()}
    return TargetConfig(
        name=name,
        platform_url=model.platformUrl,
        ims_url=model.imsUrl,
        org_id=model.orgId,
        sandbox=model.sandbox,
        client_id_env=model.clientIdEnv,
        client_secret_env=model.clientSecretEnv,
        scopes=model.scopes,
        protected=model.protected,
        variables=variables,
        ignore_fields={k: tuple(v) for k, v in sorted(model.ignoreFields.items())},
        embedded=model.platform == "embedded",
        acknowledged_jobs=tuple(dict.fromkeys(model.acknowledge.exportJobs)),
        where=_where(doc, name, model),
    )


def _default_stack(root: Path) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", root.resolve().name.lower()).strip("-")[:63].strip("-")
    return name or "default"


def _config_dir(root: Path) -> Path:
    return root if root.is_dir() else root.parent


def find_config(root: Path) -> Path | None:
    """reconciler.yaml in ``root``'s folder or the nearest parent, not above the git root."""
    start = _config_dir(root)
    for folder in (start, *start.resolve().parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name if folder == start else _relative(folder / name, start)
        if (folder / ".git").exists():
            break
    return None


def _relative(path: Path, start: Path) -> Path:
    """``path`` spelt from ``start`` when ``start`` is relative, so messages stay short."""
    if start.is_absolute():
        return path
    return Path(os.path.relpath(path, Path.cwd()))


def read_project(root: Path) -> tuple[Project, list[Diagnostic]]:
    """The project at ``root`` and every problem of its reconciler.yaml."""
    config = find_config(root)
    if config is None:
        return Project(_config_dir(root), _default_stack(_config_dir(root)), {}, None, None), []
    docs, diags = load_file(config, display_path(config))
    empty = Project(config.parent, _default_stack(config.parent), {}, None, config)
    if diags or not docs:
        return empty, diags
    if len(docs) > 1:
        msg = "reconciler.yaml holds one document; found more"
        return empty, [Diagnostic(msg, docs[1].start)]
    doc = docs[0]
    data, diags = literal_secret_keys(doc)
    secrets = find_secrets(data)
    diags += [Diagnostic(msg, doc.at(path), format_path(path)) for path, msg in secrets]
    diags += config_rules(doc, data)
    try:
        model = ProjectModel.model_validate(data)
    except ValidationError as exc:
        skip = frozenset(path for path, _ in secrets)
        return empty, diags + diagnostics_from(exc, ProjectModel, doc, skip=skip)
    targets = {
        name: _target(name, target or TargetModel(), model.variables, doc)
        for name, target in sorted(model.targets.items())
    }
    shared = {k: _text(v) for k, v in model.variables.items()}
    project = Project(empty.root, model.stack, targets, model.defaultTarget, config, shared)
    return project, diags


def load_project(root: Path) -> Project:
    """reconciler.yaml at ``root`` (a directory or a file in it); raises ManifestError."""
    project, diags = read_project(root)
    if diags:
        raise ManifestError(diags)
    return project


def select_target(project: Project, target: str | None) -> TargetConfig | None:
    """The named target, else the default one, else None; an unknown name is a ConfigError."""
    name = target or project.default_target
    if name is None:
        return None
    if name not in project.targets:
        if project.config_file is None:
            raise ConfigError(f"--target {name}: there is no reconciler.yaml defining targets")
        known = ", ".join(sorted(project.targets)) or "none"
        raise ConfigError(f"unknown target '{name}' (targets: {known})")
    return project.targets[name]
