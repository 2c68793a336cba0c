"""An export job's request body → the engine's ExportSpec, and the errors of a job that fails."""

from __future__ import annotations

from typing import Any

from aep_reconciler.emulator.profiles.engine import EventRule, ExportSpec, MergeRule, SegmentRule
from aep_reconciler.emulator.profiles.xdm import split_fields
from aep_reconciler.wire import DEFAULT_SEGMENT_STATUSES, parse_rfc3339

_STACK = "com.adobe.aep.unifiedprofile.export"


def _ms(value: Any) -> int | None:
    if value is None:
        return None
    return int(parse_rfc3339(str(value)).timestamp() * 1000)


def segments_of(body: dict[str, Any]) -> tuple[SegmentRule, ...]:
    found = ((body.get("filter") or {}).get("segments")) or []
    return tuple(
        SegmentRule(
            str(s["segmentId"]),
            str(s.get("segmentNs") or "ups"),
            tuple(s.get("status") or DEFAULT_SEGMENT_STATUSES),
        )
        for s in found
    )


def spec_of(body: dict[str, Any], merge: MergeRule) -> ExportSpec:
    """What the engine evaluates for ``body`` (already validated by ExportJobRequest)."""
    filt = body.get("filter") or {}
    window = filt.get("segmentQualificationTime") or {}
    events = None
    event_list = (body.get("additionalFields") or {}).get("eventList")
    if event_list is not None:
        ingest = event_list.get("filter") or {}
        fields = split_fields(event_list.get("fields"))
        events = EventRule(
            tuple(fields) if fields is not None else None,
            _ms(ingest.get("fromIngestTimestamp")),
            _ms(ingest.get("toIngestTimestamp")),
        )
    fields = split_fields(body.get("fields"))
    return ExportSpec(
        fields=tuple(fields) if fields is not None else None,
        merge=merge,
        segments=segments_of(body),
        qualified_from=_ms(window.get("startTime")),
        qualified_to=_ms(window.get("endTime")),
        from_ingest=_ms(filt.get("fromIngestTimestamp")),
        empty_profiles=bool(filt.get("emptyProfiles", False)),
        events=events,
        per_segment=bool((body.get("destination") or {}).get("segmentPerBatch")),
    )


def unknown_segment(rule: SegmentRule, sandbox: str) -> dict[str, str]:
    return {
        "code": "0100000005",
        "msg": f"Segment {rule.id} (namespace {rule.namespace}) does not exist in sandbox "
        f"{sandbox}",
        "callStack": f"{_STACK}.SegmentValidator",
    }


def unknown_merge_policy(policy_id: str, sandbox: str) -> dict[str, str]:
    return {
        "code": "0100000006",
        "msg": f"Merge policy {policy_id} does not exist in sandbox {sandbox}",
        "callStack": f"{_STACK}.MergePolicyResolver",
    }


def export_failed(detail: str) -> dict[str, str]:
    return {
        "code": "0100000007",
        "msg": f"The export could not be written: {detail}",
        "callStack": f"{_STACK}.ParquetWriter",
    }
