"""Round-trip manifest writing: new files, and edits that change exactly the fields asked."""

from __future__ import annotations

import difflib
from pathlib import Path

from aep_reconciler.manifests.documents import load_file
from aep_reconciler.manifests.editing import ABSENT, edit_document, new_file

MANIFEST = """\
# yaml-language-server: $schema=../schemas/manifest.schema.json
# Owned by the growth team: ask #growth before changing it.
apiVersion: reconciler/v1
kind: Dataset
metadata:
  name: growth   # the manifest name, not the dataset's
spec:
  name: "Growth Export"
  description: Nightly export   # said in the runbook
  schemaRef:
    id: https://ns.adobe.com/xdm/context/profile__union
    contentType: application/vnd.adobe.xed+json;version=1
  tags:
    team: [growth]
    owner: ['${var.owner}']
    audience: &people [adults]
    segment: *people
---
apiVersion: reconciler/v1
kind: Dataset
metadata:
  name: other
spec:
  name: Other
  schemaRef:
    id: https://ns.adobe.com/xdm/context/profile__union
"""


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_an_edit_changes_exactly_that_field_and_keeps_comments_and_anchors() -> None:
    edited = edit_document(MANIFEST, "Dataset", "growth", {("spec", "description"): "Hourly"})
    assert edited.refused == [] and edited.text is not None
    assert _changed_lines(MANIFEST, edited.text) == [
        "-  description: Nightly export   # said in the runbook",
        "+  description: Hourly           # said in the runbook",  # the comment keeps its column
    ]


def test_quoting_and_flow_style_are_kept() -> None:
    edits = {("spec", "name"): "Growth", ("spec", "tags", "team"): ["growth", "web"]}
    edited = edit_document(MANIFEST, "Dataset", "growth", edits)
    assert edited.text is not None
    assert _changed_lines(MANIFEST, edited.text) == [
        '-  name: "Growth Export"',
        '+  name: "Growth"',
        "-    team: [growth]",
        "+    team: [growth, web]",
    ]


def test_variables_and_anchors_are_reported_never_overwritten() -> None:
    edits = {
        ("spec", "tags", "owner"): ["alice"],
        ("spec", "tags", "segment"): ["kids"],
        ("spec", "description"): "Hourly",
    }
    edited = edit_document(MANIFEST, "Dataset", "growth", edits)
    assert edited.refused == [
        (
            ("spec", "tags", "owner"),
            "its value comes from ${var.owner}; change the variable instead",
        ),
        (
            ("spec", "tags", "segment"),
            "it is the YAML anchor &people or an alias of it; change it by hand",
        ),
    ]
    assert edited.text is not None and "segment: *people" in edited.text
    assert edited.text is not None and "${var.owner}" in edited.text
    assert "description: Hourly" in edited.text


def test_fields_are_added_and_removed_in_place() -> None:
    edits = {("spec", "description"): ABSENT, ("spec", "tags", "region"): ["eu"]}
    edited = edit_document(MANIFEST, "Dataset", "growth", edits)
    assert edited.text is not None
    assert _changed_lines(MANIFEST, edited.text) == [
        "-  description: Nightly export   # said in the runbook",
        "+    region: [eu]",
    ]


def test_another_indentation_style_is_kept() -> None:
    text = "kind: Dataset\nmetadata:\n    name: x\nspec:\n    list:\n    - a\n    - b\n"
    edited = edit_document(text, "Dataset", "x", {("spec", "list"): ["a", "c"]})
    assert edited.text == text.replace("- b", "- c")


def test_a_layout_that_would_be_reformatted_is_refused_untouched() -> None:
    text = "kind: Dataset\nmetadata:\n   name: x\nspec:\n   description:    spaced\n"
    edited = edit_document(text, "Dataset", "x", {("spec", "description"): "y"})
    assert edited.text is None
    assert edited.refused == [
        (
            ("spec", "description"),
            "the file's layout cannot be written back without reformatting it",
        )
    ]


def test_a_new_file_has_its_comments_first_and_loads_as_written(tmp_path: Path) -> None:
    doc = {
        "apiVersion": "reconciler/v1",
        "kind": "ExportJob",
        "metadata": {"name": "a"},
        "spec": {"fields": "._", "filter": {"segments": [{"segmentId": "s", "status": ["x"]}]},
                 "when": "2024-09-01T00:00:00Z", "n": 1},
    }  # fmt: skip
    text = new_file([doc, doc], [["# yaml-language-server: $schema=x.json", "first"], ["second"]])
    assert text.startswith("# yaml-language-server: $schema=x.json\n# first\napiVersion:")
    assert "\n---\n# second\napiVersion:" in text
    assert "      - segmentId: s\n        status: [x]\n" in text
    path = tmp_path / "m.yaml"
    path.write_text(text)
    docs, diags = load_file(path, "m.yaml")
    assert diags == [] and [d.data for d in docs] == [doc, doc]
