"""Pydantic models of the AEP API's JSON, shared by the client, the manifests and the emulator.

Request models reject unknown fields (``extra="forbid"``) so that a typo in a manifest or a
request body is caught; the emulator maps their errors to AEP's 400 bodies and the
manifest loader maps them to ``file:line:col`` diagnostics.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

CATALOG_BASE = "/data/foundation/catalog"
UPS_BASE = "/data/core/ups"
EXPORT_BASE = "/data/foundation/export"  # the Data Access API
IMS_TOKEN_PATH = "/ims/token/v3"

PROFILE_UNION_SCHEMA = "https://ns.adobe.com/xdm/context/profile__union"
XED_CONTENT_TYPE = "application/vnd.adobe.xed+json;version=1"

DEFAULT_SEGMENT_STATUSES = ("realized", "existing")
JOB_STATUSES = ("NEW", "PROCESSING", "SUCCEEDED", "FAILED")
ACTIVE_JOB_STATUSES = frozenset({"NEW", "PROCESSING"})

# Dataset fields the platform owns: a body may not set them and they never count as drift.
DATASET_READ_ONLY = frozenset(
    {
        "version",
        "created",
        "updated",
        "createdUser",
        "createdClient",
        "updatedUser",
        "imsOrg",
        "sandboxId",
        "state",
        "classification",
        "files",
        "basePath",
        "viewId",
        "lastBatchId",
        "lastBatchStatus",
    }
)

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
# One dot path: segments of letters, digits, underscores; a leading underscore is allowed
# (tenant fields such as _acme.loyalty).
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def parse_rfc3339(value: str) -> datetime:
    """Parse an RFC 3339 timestamp (with an explicit offset) or raise ValueError."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError(f"expected an RFC 3339 time such as 2024-01-31T00:00:00Z, got {value!r}")
    return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


def _rfc3339(value: str) -> str:
    parse_rfc3339(value)
    return value


def check_fields_expression(value: str) -> str:
    """Check the comma-separated dot-path list of ``fields``."""
    if not isinstance(value, str):
        raise ValueError("expected a comma-separated list of dot paths")
    parts = [p.strip() for p in value.split(",")]
    bad = [p for p in parts if not _FIELD_PATH.match(p)]
    if bad:
        raise ValueError(
            f"expected comma-separated dot paths such as identities.id,personalEmail.address; "
            f"invalid path {bad[0]!r}"
        )
    return value


_PATH = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
_FIELDS_PATTERN = rf"^\s*{_PATH}\s*(,\s*{_PATH}\s*)*$"

# The validators give the messages; the schema patterns let editors and JSON Schema
# validators catch the same mistakes.
Rfc3339 = Annotated[
    str,
    AfterValidator(_rfc3339),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": _RFC3339.pattern}),
]
FieldsExpr = Annotated[
    str,
    AfterValidator(check_fields_expression),
    WithJsonSchema({"type": "string", "pattern": _FIELDS_PATTERN}),
]
SegmentStatus = Literal["realized", "existing", "exited"]
FileFormat = Literal["", "csv", "text", "parquet", "json", "sequencefile", "avro"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- Catalog datasets ------------------------------------------------------------------


class SchemaRef(_Body):
    id: str = Field(min_length=1)
    contentType: str = XED_CONTENT_TYPE


class FileDescription(_Body):
    persisted: bool | None = None
    containerFormat: str | None = None
    format: FileFormat | None = None
    delimiters: list[Annotated[str, Field(max_length=1)]] | None = None
    quotes: list[str] | None = None
    escapes: list[str] | None = None
    nullMarkers: list[str] | None = None
    header: bool | None = None
    charset: Literal["US-ASCII", "UTF-8", "ISO-8859-1", ""] | None = None


class DatasetBody(_Body):
    """The writable fields of ``POST /dataSets`` (and of a partial-object PATCH)."""

    name: str = Field(min_length=1)
    description: str | None = None
    tags: dict[str, list[str]] | None = None
    schemaRef: SchemaRef
    fileDescription: FileDescription | None = None
    enableErrorDiagnostics: bool | None = None
    observableSchema: dict[str, Any] | None = None
    dataSourceId: int | None = None


class DatasetPatch(_Body):
    name: str | None = Field(default=None, min_length=1)
    description: str | None = None
    tags: dict[str, list[str]] | None = None
    schemaRef: SchemaRef | None = None
    fileDescription: FileDescription | None = None
    enableErrorDiagnostics: bool | None = None
    observableSchema: dict[str, Any] | None = None
    dataSourceId: int | None = None


# --- Profile export jobs ---------------------------------------------------------------


class MergePolicyRef(_Body):
    id: str = Field(min_length=1)
    version: int | None = None


def _default_statuses() -> list[SegmentStatus]:
    return ["realized", "existing"]


class SegmentSelector(_Body):
    segmentId: str = Field(min_length=1)
    segmentNs: str = "ups"
    status: list[SegmentStatus] = Field(default_factory=_default_statuses)


class TimeWindow(_Body):
    startTime: Rfc3339 | None = None
    endTime: Rfc3339 | None = None


class ExportFilter(_Body):
    segments: list[SegmentSelector] | None = None
    segmentQualificationTime: TimeWindow | None = None
    fromIngestTimestamp: Rfc3339 | None = None
    emptyProfiles: bool | None = None


class IngestWindow(_Body):
    fromIngestTimestamp: Rfc3339 | None = None
    toIngestTimestamp: Rfc3339 | None = None


class EventList(_Body):
    fields: FieldsExpr | None = None
    filter: IngestWindow | None = None


class AdditionalFields(_Body):
    eventList: EventList | None = None


class ExportDestination(_Body):
    datasetId: str = Field(min_length=1)
    segmentPerBatch: bool = False


class ExportSchema(_Body):
    name: str = Field(min_length=1)


class EvaluationInfo(_Body):
    segmentation: bool = False


class ExportJobRequest(_Body):
    """The body of ``POST /export/jobs``."""

    fields: FieldsExpr | None = None
    mergePolicy: MergePolicyRef | None = None
    filter: ExportFilter | None = None
    additionalFields: AdditionalFields | None = None
    destination: ExportDestination
    schema_: ExportSchema = Field(alias="schema")
    evaluationInfo: EvaluationInfo | None = None


def job_dataset_id(job: dict[str, Any]) -> str | None:
    """The destination dataset of a job object, whichever spelling the answer used (A.4)."""
    dest = job.get("destination") or {}
    if not isinstance(dest, dict):
        return None
    value = dest.get("datasetId", dest.get("dataSetId"))
    return value if isinstance(value, str) else None


# No AEP answer nests deeper than a handful of levels; a deeper one is not a usable answer,
# and walking it recursively could exhaust the interpreter's recursion limit.
MAX_DEPTH = 64


def nesting_within(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when lists and objects in ``value`` nest at most ``limit`` deep (no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True


# Counts, offsets, ids and epoch milliseconds in a query or path: ASCII digits only (str.isdigit
# also takes "١٢" and "²"), and no more than a signed 64-bit integer holds.
_DECIMAL = re.compile(r"-?[0-9]{1,18}")


def decimal(text: str) -> int | None:
    """``text`` as an integer when it is plain ASCII decimal that fits 64 bits, else None."""
    return int(text) if _DECIMAL.fullmatch(text) else None
