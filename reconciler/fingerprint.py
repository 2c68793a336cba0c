"""The effective request of an export job and its fingerprint (pure; validation and planner).

A POST body and the live job object the platform answers with describe the same request
in different spellings: the platform fills defaults, may write ``dataSetId``, reorders
lists and adds id/status/metrics. ``effective_request`` reduces either to one canonical
form so that equal requests compare equal and real changes do not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from reconciler.wire import DEFAULT_SEGMENT_STATUSES, parse_rfc3339


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _time(value: Any) -> Any:
    """An RFC 3339 time in UTC with a ``Z``; anything unreadable is kept as written."""
    if not isinstance(value, str):
        return value
    try:
        moment = parse_rfc3339(value)
    except ValueError:
        return value
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def _field_list(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return ",".join(sorted({part.strip() for part in value.split(",") if part.strip()}))


def _statuses(value: Any) -> list[Any]:
    if value is None:
        value = list(DEFAULT_SEGMENT_STATUSES)
    elif not isinstance(value, list):
        value = [value]
    return sorted(set(value), key=str)


def _segment(seg: Any) -> dict[str, Any]:
    seg = _map(seg)
    return {
        "segmentId": seg.get("segmentId"),
        "segmentNs": seg.get("segmentNs") or "ups",
        "status": _statuses(seg.get("status")),
    }


def _window(value: Any, *names: str) -> dict[str, Any] | None:
    window = {name: _time(_map(value).get(name)) for name in names}
    return window if any(v is not None for v in window.values()) else None


def _filter(value: Any) -> dict[str, Any]:
    filt = _map(value)
    segments = filt.get("segments")
    return {
        "segments": (
            sorted((_segment(s) for s in segments), key=lambda s: json.dumps(s, sort_keys=True))
            if isinstance(segments, list)
            else None
        ),
        "segmentQualificationTime": _window(
            filt.get("segmentQualificationTime"), "startTime", "endTime"
        ),
        "fromIngestTimestamp": _time(filt.get("fromIngestTimestamp")),
        "emptyProfiles": bool(filt.get("emptyProfiles") or False),
    }


def _additional(value: Any) -> dict[str, Any] | None:
    events = _map(_map(value).get("eventList"))
    if not events:
        return None
    window = _window(events.get("filter"), "fromIngestTimestamp", "toIngestTimestamp")
    return {"eventList": {"fields": _field_list(events.get("fields")), "filter": window}}


def _destination(value: Any) -> dict[str, Any]:
    dest = _map(value)
    out: dict[str, Any] = {"segmentPerBatch": bool(dest.get("segmentPerBatch") or False)}
    if "dataset" in dest:
        out["dataset"] = dest["dataset"]  # a manifest reference not yet resolved to an id
    else:
        out["datasetId"] = dest.get("datasetId", dest.get("dataSetId"))
    return out


def _merge_policy(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {"id": value.get("id"), "version": value.get("version")}


def _prune(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def effective_request(job_or_body: Mapping[str, Any]) -> dict[str, Any]:
    """The request part of a POST body or a live job object, defaults filled, canonical."""
    src = job_or_body
    request = {
        "fields": _field_list(src.get("fields")),
        "mergePolicy": _merge_policy(src.get("mergePolicy")),
        "filter": _filter(src.get("filter")),
        "additionalFields": _additional(src.get("additionalFields")),
        "destination": _destination(src.get("destination")),
        "schema": {"name": _map(src.get("schema")).get("name")},
        "evaluationInfo": {
            "segmentation": bool(_map(src.get("evaluationInfo")).get("segmentation") or False)
        },
    }
    pruned: dict[str, Any] = _prune(request)
    return pruned


def fingerprint(job_or_body: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical JSON of ``effective_request``."""
    canonical = json.dumps(
        effective_request(job_or_body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
