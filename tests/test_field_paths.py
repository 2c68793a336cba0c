"""field_paths.value_at: the one reader of dotted paths that plans and findings name."""

from __future__ import annotations

from aep_reconciler.field_paths import value_at


def test_reads_nested_values_and_none_where_a_step_is_missing_or_not_a_mapping() -> None:
    value = {"filter": {"segments": [{"segmentId": "a"}]}, "name": "x", "tags": None}
    assert value_at(value, "filter.segments") == [{"segmentId": "a"}]
    assert value_at(value, "name") == "x"
    assert value_at(value, "filter.missing") is None
    assert value_at(value, "name.deeper") is None  # a string has no members
    assert value_at(value, "tags.team") is None
    assert value_at(None, "name") is None
