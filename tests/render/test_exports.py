"""The preview of ``reconciler output``: one compact JSON object a line, cut to the width."""

from __future__ import annotations

import json

from aep_reconciler.render.exports import elide, preview_text, result_json
from aep_reconciler.resources import EXPORT_JOB, ResourceKey
from aep_reconciler.results import JobResult, PreviewResult


def test_each_row_is_one_compact_line_cut_with_an_ellipsis_at_the_width() -> None:
    short = {"personalEmail": {"address": "a@example.test"}}
    long = {"note": "é" * 200}
    text = preview_text(PreviewResult("b1", (short, long)), width=40)
    assert text.splitlines() == [
        "  preview of batch b1, first 2 rows:",
        '    {"personalEmail":{"address":"a@exam…',
        '    {"note":"' + "é" * 26 + "…",
    ]
    assert all(len(line) <= 40 for line in text.splitlines())
    assert preview_text(PreviewResult("b1", (short,)), width=160).splitlines()[1] == (
        '    {"personalEmail":{"address":"a@example.test"}}'
    )


def test_elide_keeps_what_fits() -> None:
    assert elide("abc", 3) == "abc" and elide("abcd", 3) == "ab…" and elide("abcd", 0) == "…"


def test_a_withheld_or_empty_preview_says_so() -> None:
    withheld = PreviewResult("b2", withheld="dataset d's latest batch is batch b2, not this job's")
    assert preview_text(withheld, 80) == (
        "  no preview: dataset d's latest batch is batch b2, not this job's\n"
    )
    assert preview_text(PreviewResult("b1"), 80) == "  preview of batch b1: no rows\n"


def test_json_holds_the_rows_as_a_list_only_when_asked() -> None:
    result = JobResult(ResourceKey(EXPORT_JOB, "x"), "7", "SUCCEEDED")
    assert "preview" not in json.loads(result_json(result))
    rows = ({"a": 1}, {"a": 2})
    doc = json.loads(result_json(result, PreviewResult("b1", rows)))
    assert doc["preview"] == {"batchId": "b1", "rows": [{"a": 1}, {"a": 2}], "withheld": None}
