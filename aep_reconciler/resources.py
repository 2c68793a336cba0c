"""The desired resources a manifest tree declares, their identity, and the manifest models."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aep_reconciler.diagnostics import SourceRange
from aep_reconciler.schedule import Schedule, parse_schedule
from aep_reconciler.wire import (
    AdditionalFields,
    DatasetBody,
    EvaluationInfo,
    ExportFilter,
    ExportSchema,
    FieldsExpr,
    SegmentStatus,
)

API_VERSION = "reconciler/v1"
DATASET = "Dataset"
EXPORT_JOB = "ExportJob"
KINDS = (DATASET, EXPORT_JOB)

RESERVED_TAG_PREFIXES = ("adobe", "reconciler")
RESERVED_TAG_NAMES = frozenset({"unifiedProfile", "unifiedIdentity"})

NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
NAME_MAX = 63
ManifestName = Annotated[str, Field(pattern=NAME_PATTERN, max_length=NAME_MAX)]


def is_reserved_tag(key: str) -> bool:
    """Adobe's own tag keys and reconciler's ownership tags may not be written by hand."""
    return key in RESERVED_TAG_NAMES or key.lower().startswith(RESERVED_TAG_PREFIXES)


@dataclass(frozen=True, order=True)
class ResourceKey:
    """Minimal identity: kind plus manifest name."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"

    @classmethod
    def parse(cls, text: str) -> ResourceKey:
        """The inverse of ``str()``: ``"Dataset/profile-export"``."""
        kind, slash, name = text.partition("/")
        if not slash or not kind or not name:
            raise ValueError(f"not a Kind/name key: {text!r}")
        return cls(kind, name)


@dataclass(frozen=True)
class Lifecycle:
    """The optional top-level ``lifecycle:`` block of a manifest document."""

    ignore_fields: tuple[str, ...] = ()  # spec-relative dot paths, e.g. "tags.team"
    recreate_on_failure: bool = True  # ExportJob: create again when the latest job FAILED
    prevent_destroy: bool = False  # never delete/replace/cancel this object
    every: Schedule | None = None  # ExportJob: export again on this schedule (None: once)


@dataclass(frozen=True)
class DesiredDataset:
    key: ResourceKey
    body: Mapping[str, Any]  # POST /dataSets body, variables resolved
    source: SourceRange
    lifecycle: Lifecycle
    previous_names: tuple[str, ...] = ()  # metadata.previousNames, newest rename first


@dataclass(frozen=True)
class DesiredExportJob:
    key: ResourceKey
    body: Mapping[str, Any]  # POST /export/jobs body; destination has dataset XOR datasetId
    dataset: str | None  # the referenced Dataset manifest name, None when datasetId is literal
    source: SourceRange
    lifecycle: Lifecycle
    previous_names: tuple[str, ...] = ()  # metadata.previousNames
    # where each merge policy and segment reference is written ("spec.mergePolicy.name" → …)
    positions: Mapping[str, SourceRange] = field(default_factory=dict)


@dataclass(frozen=True)
class ManifestSet:
    datasets: tuple[DesiredDataset, ...]  # sorted by name
    export_jobs: tuple[DesiredExportJob, ...]  # sorted by name
    files: tuple[str, ...]

    def source_of(self, key: ResourceKey) -> SourceRange | None:
        items: tuple[DesiredDataset | DesiredExportJob, ...] = (*self.datasets, *self.export_jobs)
        for item in items:
            if item.key == key:
                return item.source
        return None


# --- pydantic models of one manifest document (validation and JSON Schema) -------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Metadata(_Strict):
    name: ManifestName
    previousNames: list[ManifestName] = Field(
        default_factory=list,
        description="Names this manifest had before (a rename): the live object that "
        "carries one of them is renamed in place, never created again.",
    )


class LifecycleSpec(_Strict):
    ignoreFields: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    recreateOnFailure: bool = True
    preventDestroy: bool = False

    def to_lifecycle(self) -> Lifecycle:
        return Lifecycle(tuple(self.ignoreFields), self.recreateOnFailure, self.preventDestroy)


class ExportJobLifecycleSpec(LifecycleSpec):
    every: str | None = Field(
        default=None,
        description="Export again on a schedule: an ISO 8601 duration (P1D, PT6H), a new "
        "job once the latest SUCCEEDED one is that old; or a 5-field cron expression (UTC), "
        "a new job once one of its times has passed since the latest SUCCEEDED one.",
        examples=["P1D", "0 2 * * *"],
        # editors catch the shape; validate checks the duration or cron fields themselves
        json_schema_extra={"pattern": r"^\s*(P\S+|\S+(\s+\S+){4}|\$\{var\.[^}]+\})\s*$"},
    )

    @field_validator("every")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        if value is not None:
            parse_schedule(value)
        return value

    def to_lifecycle(self) -> Lifecycle:
        schedule = parse_schedule(self.every) if self.every is not None else None
        return dataclasses.replace(super().to_lifecycle(), every=schedule)


_ONE_DESTINATION = "give exactly one of destination.dataset and destination.datasetId"


class ManifestDestination(_Strict):
    """``destination`` of an ExportJob manifest: a Dataset manifest name or a literal id."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["dataset"]}, {"required": ["datasetId"]}]}
    )

    dataset: ManifestName | None = None
    datasetId: Annotated[str, Field(min_length=1)] | None = None
    segmentPerBatch: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> ManifestDestination:
        if (self.dataset is None) == (self.datasetId is None):
            raise ValueError(_ONE_DESTINATION)
        return self


def _exactly_one(model: BaseModel, first: str, second: str) -> None:
    if (getattr(model, first) is None) == (getattr(model, second) is None):
        raise ValueError(f"give exactly one of {first} and {second}")


class ManifestMergePolicy(_Strict):
    """``mergePolicy``: Adobe's ``{id, version}``, or ``{name}`` resolved per target by plan."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["id"]}, {"required": ["name"]}]}
    )

    id: Annotated[str, Field(min_length=1)] | None = None
    name: Annotated[str, Field(min_length=1)] | None = None
    version: int | None = None

    @model_validator(mode="after")
    def _one_reference(self) -> ManifestMergePolicy:
        _exactly_one(self, "id", "name")
        return self


def _default_statuses() -> list[SegmentStatus]:
    return ["realized", "existing"]


class ManifestSegment(_Strict):
    """A ``filter.segments`` entry: ``segmentId``, or ``segmentName`` resolved by plan."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["segmentId"]}, {"required": ["segmentName"]}]}
    )

    segmentId: Annotated[str, Field(min_length=1)] | None = None
    segmentName: Annotated[str, Field(min_length=1)] | None = None
    segmentNs: str = "ups"
    status: list[SegmentStatus] = Field(default_factory=_default_statuses)

    @model_validator(mode="after")
    def _one_reference(self) -> ManifestSegment:
        _exactly_one(self, "segmentId", "segmentName")
        return self


class ManifestFilter(ExportFilter):
    segments: list[ManifestSegment] | None = None  # type: ignore[assignment]


class ExportJobSpec(_Strict):
    """The ``POST /export/jobs`` body, with ``destination.dataset``, ``mergePolicy.name`` and
    ``segmentName`` as the additions (each resolved to an id before anything is sent)."""

    fields: FieldsExpr | None = None
    mergePolicy: ManifestMergePolicy | None = None
    filter: ManifestFilter | None = None
    additionalFields: AdditionalFields | None = None
    destination: ManifestDestination
    schema_: ExportSchema = Field(alias="schema")
    evaluationInfo: EvaluationInfo | None = None


class DatasetManifest(_Strict):
    apiVersion: Literal["reconciler/v1"]
    kind: Literal["Dataset"]
    metadata: Metadata
    spec: DatasetBody
    lifecycle: LifecycleSpec | None = None


class ExportJobManifest(_Strict):
    apiVersion: Literal["reconciler/v1"]
    kind: Literal["ExportJob"]
    metadata: Metadata
    spec: ExportJobSpec
    lifecycle: ExportJobLifecycleSpec | None = None


MANIFEST_MODELS: Mapping[str, type[DatasetManifest] | type[ExportJobManifest]] = {
    DATASET: DatasetManifest,
    EXPORT_JOB: ExportJobManifest,
}
