"""One manifest document → a desired resource, or the diagnostics that say why not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from aep_reconciler.diagnostics import Diagnostic
from aep_reconciler.manifests.documents import Document, FieldPath, format_path
from aep_reconciler.manifests.model_errors import diagnostics_from, did_you_mean, field_names
from aep_reconciler.manifests.secrets import find_secrets
from aep_reconciler.manifests.variables import resolve
from aep_reconciler.resources import (
    DATASET,
    EXPORT_JOB,
    KINDS,
    MANIFEST_MODELS,
    DatasetManifest,
    DesiredDataset,
    DesiredExportJob,
    ExportJobManifest,
    Lifecycle,
    ResourceKey,
    is_reserved_tag,
)

Desired = DesiredDataset | DesiredExportJob
_IGNORE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_@:-]+)*$")
_SHAPE = "a manifest document must be a mapping with apiVersion, kind, metadata and spec"


@dataclass(frozen=True)
class Checked:
    """A document that passed every per-document rule, with the resource it declares."""

    doc: Document
    resource: Desired


def _diag(doc: Document, path: FieldPath, message: str, *, key: bool = False) -> Diagnostic:
    return Diagnostic(message, doc.at(path, key=key), format_path(path))


def check_ignore_path(kind: str, path: str) -> str | None:
    """Why ``path`` cannot be an ignoreFields entry of ``kind``, or None when it can."""
    if not _IGNORE_PATH.match(path):
        return f"'{path}' is not a dot path such as 'description' or 'tags.team'"
    spec_model = MANIFEST_MODELS[kind].model_fields["spec"].annotation
    assert isinstance(spec_model, type) and issubclass(spec_model, BaseModel)
    names = field_names(spec_model, ())
    top = path.split(".", 1)[0]
    if top not in names:
        return f"'{top}' is not a {kind} spec field" + did_you_mean(top, names)
    return None


def _check_kind(doc: Document, data: Mapping[str, Any]) -> list[Diagnostic]:
    kind = data.get("kind")
    if kind is None:
        return [_diag(doc, ("kind",), f"missing required field 'kind' (one of {', '.join(KINDS)})")]
    if kind not in KINDS:
        hint = did_you_mean(str(kind), KINDS) or f"; expected one of {', '.join(KINDS)}"
        return [_diag(doc, ("kind",), f"unknown kind {str(kind)!r}{hint}")]
    return []


def _resolve_spec(
    data: Mapping[str, Any], variables: Mapping[str, str]
) -> tuple[dict[str, Any], list[tuple[FieldPath, str]]]:
    resolved = dict(data)
    if "spec" not in data:
        return resolved, []
    resolved["spec"], problems = resolve(data["spec"], variables, ("spec",))
    return resolved, problems


def _reserved_tags(doc: Document, data: Mapping[str, Any]) -> list[Diagnostic]:
    spec = data.get("spec")
    tags = spec.get("tags") if isinstance(spec, Mapping) else None
    if data.get("kind") != DATASET or not isinstance(tags, Mapping):
        return []
    msg = "tag '{}' is reserved for Adobe or reconciler; choose another key"
    return [
        _diag(doc, ("spec", "tags", tag), msg.format(tag), key=True)
        for tag in sorted(tags)
        if is_reserved_tag(str(tag))
    ]


def _ignore_fields(doc: Document, data: Mapping[str, Any]) -> list[Diagnostic]:
    lifecycle = data.get("lifecycle")
    paths = lifecycle.get("ignoreFields") if isinstance(lifecycle, Mapping) else None
    if not isinstance(paths, list):
        return []
    out = []
    for index, path in enumerate(paths):
        problem = check_ignore_path(str(data["kind"]), path) if isinstance(path, str) else None
        if problem:
            out.append(_diag(doc, ("lifecycle", "ignoreFields", index), problem))
    return out


def _desired(doc: Document, model: BaseModel) -> Desired:
    lifecycle_model = getattr(model, "lifecycle", None)
    lifecycle = lifecycle_model.to_lifecycle() if lifecycle_model else None
    if isinstance(model, DatasetManifest):
        previous = tuple(model.metadata.previousNames)
        body = model.spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
        key = ResourceKey(DATASET, model.metadata.name)
        return DesiredDataset(key, body, doc.start, lifecycle or Lifecycle(), previous)
    assert isinstance(model, ExportJobManifest)
    previous = tuple(model.metadata.previousNames)
    key = ResourceKey(model.kind, model.metadata.name)
    body = model.spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    dataset = model.spec.destination.dataset
    positions = {format_path(p): doc.at(p) for p in _reference_paths(model)}
    return DesiredExportJob(
        key, body, dataset, doc.start, lifecycle or Lifecycle(), previous, positions
    )


def _reference_paths(model: ExportJobManifest) -> list[FieldPath]:
    """Where the job names a merge policy or segments, which plan checks per target."""
    paths: list[FieldPath] = []
    policy = model.spec.mergePolicy
    if policy is not None:
        paths.append(("spec", "mergePolicy", "id" if policy.id is not None else "name"))
    segments = (model.spec.filter.segments if model.spec.filter else None) or []
    for index, seg in enumerate(segments):
        field_ = "segmentId" if seg.segmentId is not None else "segmentName"
        paths.append(("spec", "filter", "segments", index, field_))
    return paths


def check_document(
    doc: Document, variables: Mapping[str, str]
) -> tuple[Checked | None, list[Diagnostic]]:
    """Every per-document rule: shape, secrets, kind, variables, fields, tags, lifecycle."""
    data = doc.data
    if () in doc.flagged:
        return None, []  # the loader could not build it and has said why
    if not isinstance(data, Mapping):
        return None, [_diag(doc, (), _SHAPE)]
    secrets = find_secrets(data)
    diags = [_diag(doc, path, msg) for path, msg in secrets]
    kind_diags = _check_kind(doc, data)
    if kind_diags:
        return None, diags + kind_diags
    resolved, problems = _resolve_spec(data, variables)
    diags.extend(_diag(doc, path, msg) for path, msg in problems)
    diags += _reserved_tags(doc, data) + _ignore_fields(doc, data)
    model_cls = MANIFEST_MODELS[data["kind"]]
    # a value already reported (a secret, a failed ${var.…}) gets no second diagnostic
    skip = frozenset(path for path, _ in (*secrets, *problems)) | frozenset(doc.flagged)
    try:
        model = model_cls.model_validate(resolved)
    except ValidationError as exc:
        diags.extend(diagnostics_from(exc, model_cls, doc, skip=skip))
        return None, diags
    if diags:
        return None, diags
    return Checked(doc, _desired(doc, model)), []


def declared_key(doc: Document) -> tuple[str, str] | None:
    """(kind, name) a document declares, even when it is invalid otherwise."""
    data = doc.data
    meta = data.get("metadata") if isinstance(data, Mapping) else None
    if isinstance(meta, Mapping) and isinstance(meta.get("name"), str):
        return str(data.get("kind")), meta["name"]
    return None


def declared_reference(doc: Document) -> str | None:
    """The Dataset manifest an ExportJob document sends to, even when it is invalid otherwise."""
    data = doc.data
    spec = data.get("spec") if isinstance(data, Mapping) else None
    dest = spec.get("destination") if isinstance(spec, Mapping) else None
    if isinstance(dest, Mapping) and data.get("kind") == EXPORT_JOB:
        name = dest.get("dataset")
        return name if isinstance(name, str) else None
    return None
