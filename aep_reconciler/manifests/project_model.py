"""reconciler.yaml: its schema (pydantic) and the rules beyond the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aep_reconciler.diagnostics import Diagnostic
from aep_reconciler.manifests.documents import Document, format_path
from aep_reconciler.manifests.secrets import SECRET_KEYS
from aep_reconciler.manifests.validation import check_ignore_path
from aep_reconciler.manifests.variables import VAR_NAME

STACK_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"

EnvName = Annotated[str, Field(pattern=_ENV_NAME)]
VarValue = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcknowledgeModel(_Strict):
    """Foreign objects in the stack's scope that drift reports as acknowledged, not drift."""

    exportJobs: list[Annotated[str, Field(min_length=1, pattern=r"^\S+$")]] = Field(
        default_factory=list,
        description="ids of export jobs someone else made into the stack's datasets",
    )


class TargetModel(_Strict):
    platform: Literal["embedded"] | None = None
    platformUrl: Annotated[str, Field(pattern=r"^https?://")] | None = None
    imsUrl: Annotated[str, Field(pattern=r"^https?://")] | None = None
    orgId: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+@AdobeOrg$")] | None = None
    sandbox: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = "prod"
    clientIdEnv: EnvName | None = None
    clientSecretEnv: EnvName | None = None
    scopes: Annotated[str, Field(min_length=1)] | None = None
    protected: bool = False
    variables: dict[Annotated[str, Field(pattern=f"^{VAR_NAME}$")], VarValue] = Field(
        default_factory=dict
    )
    ignoreFields: dict[str, list[str]] = Field(default_factory=dict)
    acknowledge: AcknowledgeModel = Field(default_factory=AcknowledgeModel)


class ProjectModel(_Strict):
    """The schema of reconciler.yaml."""

    stack: Annotated[str, Field(pattern=STACK_PATTERN, max_length=63)]
    defaultTarget: str | None = None
    targets: dict[Annotated[str, Field(pattern=STACK_PATTERN)], TargetModel | None] = Field(
        default_factory=dict
    )
    variables: dict[Annotated[str, Field(pattern=f"^{VAR_NAME}$")], VarValue] = Field(
        default_factory=dict
    )


_LITERAL_CREDENTIAL = (
    "literal credentials are not allowed in a file; set clientIdEnv and clientSecretEnv to the "
    "NAMES of environment variables (value not shown)"
)


def literal_secret_keys(doc: Document) -> tuple[Any, list[Diagnostic]]:
    """Drop clientSecret/clientId-like keys from targets, reporting each without its value."""
    data = doc.data
    targets = data.get("targets") if isinstance(data, Mapping) else None
    if not isinstance(targets, Mapping):
        return data, []
    diags, cleaned = [], dict(targets)
    for name, target in targets.items():
        if not isinstance(target, Mapping):
            continue
        for key in sorted(SECRET_KEYS & set(target)):
            path = ("targets", name, key)
            diags.append(Diagnostic(_LITERAL_CREDENTIAL, doc.at(path, key=True), format_path(path)))
        cleaned[name] = {k: v for k, v in target.items() if k not in SECRET_KEYS}
    return {**data, "targets": cleaned}, diags


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _ignore_rules(doc: Document, name: str, target: Mapping[str, Any]) -> list[Diagnostic]:
    out = []
    for kind, paths in _mapping(target.get("ignoreFields")).items():
        base = ("targets", name, "ignoreFields", kind)
        if kind not in ("Dataset", "ExportJob"):
            msg = f"unknown kind '{kind}'; expected Dataset or ExportJob"
            out.append(Diagnostic(msg, doc.at(base, key=True), format_path(base)))
            continue
        for index, path in enumerate(paths if isinstance(paths, list) else []):
            problem = check_ignore_path(kind, path) if isinstance(path, str) else None
            if problem:
                where = (*base, index)
                out.append(Diagnostic(problem, doc.at(where), format_path(where)))
    return out


# What a target of the embedded platform cannot have: it is local and its credential is
# the platform's own.
_NOT_EMBEDDED = ("platformUrl", "imsUrl", "orgId", "clientIdEnv", "clientSecretEnv")


def _embedded_rules(doc: Document, name: str, target: Mapping[str, Any]) -> list[Diagnostic]:
    if target.get("platform") != "embedded":
        return []
    out = []
    for key in _NOT_EMBEDDED:
        if key in target:
            where = ("targets", name, key)
            msg = f"a target with platform: embedded takes no {key} (it is the local platform)"
            out.append(Diagnostic(msg, doc.at(where, key=True), format_path(where)))
    return out


def config_rules(doc: Document, raw: Any) -> list[Diagnostic]:
    """Rules beyond the schema, run on the raw data so they report beside schema errors."""
    out = []
    data = _mapping(raw)
    targets = _mapping(data.get("targets"))
    default = data.get("defaultTarget")
    if isinstance(default, str) and default not in targets:
        known = ", ".join(sorted(targets)) or "none"
        msg = f"'{default}' is not one of the targets ({known})"
        out.append(Diagnostic(msg, doc.at(("defaultTarget",)), "defaultTarget"))
    for name, target in targets.items():
        out += _ignore_rules(doc, str(name), _mapping(target))
        out += _embedded_rules(doc, str(name), _mapping(target))
    return out
