"""Export's pure part: selection, names, and one document per distinct request."""

from __future__ import annotations

import pytest

from aep_reconciler.live import live_job
from aep_reconciler.planner.onboard import (
    Selector,
    chosen,
    job_document,
    requests,
    skip_reason,
    slug,
    unique,
)


def test_names_are_slugs_made_unique() -> None:
    assert slug("Profile Data Export (EU)") == "profile-data-export-eu"
    assert slug("???") == "dataset" and len(slug("x" * 100)) == 63
    taken = {"a", "a-2"}
    assert [unique("a", taken), unique("b", taken), unique("b", taken)] == ["a-3", "b", "b-2"]


def test_selectors_pick_by_tag_value_or_name_glob() -> None:
    dataset = {"name": "growth-orders", "tags": {"team": ["growth", "crm"]}}
    assert chosen(dataset, [])
    assert chosen(dataset, [Selector.parse("tag:team=crm")])
    assert not chosen(dataset, [Selector.parse("tag:team=web")])
    assert chosen(dataset, [Selector.parse("tag:team=web"), Selector.parse("growth-*")])
    with pytest.raises(ValueError, match="tag:KEY=VALUE"):
        Selector.parse("tag:team")


def test_locks_and_managed_datasets_are_left_out() -> None:
    assert skip_reason({"tags": {"reconciler-lock": ["s"]}}, "s") == ""
    assert skip_reason({"tags": {"reconciler-stack": ["s"]}}, "s") == ""
    assert skip_reason({"tags": {"reconciler-stack": ["t"]}}, "s") == "managed by stack t"
    assert skip_reason({"tags": {}}, "s") is None


def _job(job_id: int, created: int, status: str, fields: str) -> object:
    raw = {
        "id": job_id,
        "status": status,
        "creationTime": created,
        "fields": fields,
        "destination": {"datasetId": "ds1", "batchId": "b"},
        "schema": {"name": "_xdm.context.profile"},
    }
    return live_job(raw)


def test_runs_of_one_request_become_one_document_named_oldest_first() -> None:
    jobs = [
        _job(3, 300, "SUCCEEDED", "a"),
        _job(1, 100, "FAILED", "a"),
        _job(2, 200, "FAILED", "b"),
    ]
    found = requests("orders", jobs, {"orders"})  # type: ignore[arg-type]
    assert [(r.name, [j.id for j in r.runs]) for r in found] == [
        ("orders-1", ["3", "1"]),
        ("orders-2", ["2"]),
    ]
    kept, failed = (job_document(r, "orders") for r in found)
    assert kept["spec"] == {
        "fields": "a",
        "destination": {"dataset": "orders"},
        "schema": {"name": "_xdm.context.profile"},
    }
    assert "lifecycle" not in kept
    assert failed["lifecycle"] == {"recreateOnFailure": False}
