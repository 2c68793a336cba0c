"""Identity by content: canonical JSON and its hashes, the effective request of an export
job and its fingerprint (pure; validation, planner, live state, ownership, saved plans).

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

from aep_reconciler.wire import DEFAULT_SEGMENT_STATUSES, parse_rfc3339


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
        "segmentName": seg.get("segmentName"),  # a manifest's name, before plan resolves it
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
    return {"id": value.get("id"), "name": value.get("name"), "version": value.get("version")}


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


def canonical_json(value: Any) -> str:
    """One spelling per JSON value: sorted keys, no spaces, text as written (not escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_hash(value: Any) -> str:
    """sha256 hex of ``canonical_json``: equal values hash equal, whatever their key order."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def fingerprint(job_or_body: Mapping[str, Any]) -> str:
    """The identity of an export job's request: ``canonical_hash`` of ``effective_request``."""
    return canonical_hash(effective_request(job_or_body))


# --- what a platform answer shows of a request ------------------------------------------
#
# Adobe's job answers resolve ``mergePolicy`` (another id or version than requested) and drop
# ``evaluationInfo``; its create answer drops ``fields``, ``additionalFields`` and the time
# filters, and its list example shows segments by id only (aep-api.md A.4). So an answer is
# compared with a request only on the members it shows, and never on those two.
_FILTER_MEMBERS = ("segmentQualificationTime", "fromIngestTimestamp", "emptyProfiles")


def _segment_view(seg: Any, shown: bool) -> dict[str, Any]:
    """A segment selector's members, all with defaults (a request) or as shown (an answer)."""
    seg = _map(seg)
    view: dict[str, Any] = {"segmentId": seg.get("segmentId")}
    if not shown or "segmentNs" in seg:
        view["segmentNs"] = str(seg.get("segmentNs") or "ups").lower()
    if not shown or "status" in seg:
        view["status"] = _statuses(seg.get("status"))
    return view


def observed(job_or_body: Mapping[str, Any], *, shown: bool) -> dict[str, Any]:
    """Dotted request member → canonical value: every member a request has (defaults
    filled), or with ``shown``, only those an answer carries."""
    src = job_or_body
    effective = effective_request(src)
    filt, dest = _map(src.get("filter")), _map(src.get("destination"))
    view: dict[str, Any] = {}
    if not shown or "name" in _map(src.get("schema")):
        view["schema.name"] = _map(src.get("schema")).get("name")
    if not shown or "segmentPerBatch" in dest:
        view["destination.segmentPerBatch"] = effective["destination"]["segmentPerBatch"]
    if not shown or "segments" in filt:
        listed = filt.get("segments")
        segments: list[Any] = listed if isinstance(listed, list) else []
        view["filter.segments"] = {
            str(_map(s).get("segmentId")): _segment_view(s, shown) for s in segments
        }
    for member in _FILTER_MEMBERS:
        if not shown or member in filt:
            view[f"filter.{member}"] = effective["filter"].get(member)
    for member in ("fields", "additionalFields"):
        if not shown or member in src:
            view[member] = effective.get(member)
    return view


def _agree(shown: Any, declared: Any) -> bool:
    """Segments agree on the members the answer shows; anything else is equal or not."""
    if isinstance(shown, dict) and isinstance(declared, dict) and "segmentId" in shown:
        return all(declared.get(k) == v for k, v in shown.items())
    if isinstance(shown, dict) and isinstance(declared, dict):
        return shown.keys() == declared.keys() and all(
            _agree(v, declared[k]) for k, v in shown.items()
        )
    return bool(shown == declared)


def differences(answer: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[str, ...]:
    """The request members where a job ``answer`` visibly differs from the request ``body``.

    Members the answer leaves out are unknown, not different; ``mergePolicy`` and
    ``evaluationInfo`` never count (the platform resolves or drops them).
    """
    declared = observed(body, shown=False)
    return tuple(
        sorted(k for k, v in observed(answer, shown=True).items() if not _agree(v, declared[k]))
    )


def compatible(answer: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """True when ``answer`` could be the job created from ``body``, as far as it shows."""
    return not differences(answer, body)


def sibling_key(body: Mapping[str, Any]) -> str:
    """What every answer shows of a request (schema, segment ids): requests that share it
    cannot be told apart by the sparsest answers."""
    view = observed(body, shown=False)
    return json.dumps([view["schema.name"], sorted(view["filter.segments"])])
