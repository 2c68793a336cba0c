"""Merge policy and audience references: checked per target, names resolved to ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from aep_reconciler.diagnostics import ManifestError
from aep_reconciler.manifests.project import load_project
from aep_reconciler.manifests.tree import load_manifests
from aep_reconciler.references import resolve_names, wants_audiences, wants_policies
from aep_reconciler.resources import ManifestSet

AUDIENCES = [
    {"id": "a-1", "name": "VIP customers"},
    {"id": "a-2", "name": "Lapsed customers"},
    {"id": "a-3", "name": "Twins"},
    {"id": "a-4", "name": "Twins"},
]
POLICIES = [{"id": "mp-1", "name": "Default timestamp-ordered"}]
JOB = """apiVersion: reconciler/v1
kind: ExportJob
metadata:
  name: {name}
spec:
  mergePolicy:
    {policy}
  filter:
    segments:
{segments}
  destination:
    datasetId: ds-1
  schema:
    name: _xdm.context.profile
"""


def _manifests(tmp_path: Path, *jobs: tuple[str, str, list[str]]) -> ManifestSet:
    (tmp_path / "reconciler.yaml").write_text("stack: refs\n")
    for name, policy, segments in jobs:
        lines = "\n".join(f"      - {s}" for s in segments)
        (tmp_path / f"{name}.yaml").write_text(JOB.format(name=name, policy=policy, segments=lines))
    return load_manifests(tmp_path, load_project(tmp_path), None)


def test_names_become_ids_and_are_reported(tmp_path: Path) -> None:
    manifests = _manifests(
        tmp_path,
        (
            "by-name",
            "name: Default timestamp-ordered",
            ["segmentName: VIP customers", "segmentId: a-2"],
        ),
    )
    resolved, names = resolve_names(manifests, AUDIENCES, POLICIES, "sandbox prod")
    body = resolved.export_jobs[0].body
    assert body["mergePolicy"] == {"id": "mp-1"}
    assert [s["segmentId"] for s in body["filter"]["segments"]] == ["a-1", "a-2"]
    assert all("segmentName" not in s for s in body["filter"]["segments"])
    assert [(r.path, r.reference, r.id) for r in names] == [
        ("spec.mergePolicy.name", "Default timestamp-ordered", "mp-1"),
        ("spec.filter.segments[0].segmentName", "VIP customers", "a-1"),
    ]


def test_unknown_and_ambiguous_references_name_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    manifests = _manifests(
        tmp_path,
        (
            "bad",
            "id: mp-404",
            ["segmentId: a-404", "segmentName: VIP customer", "segmentName: Twins"],
        ),
    )
    with pytest.raises(ManifestError) as caught:
        resolve_names(manifests, AUDIENCES, POLICIES, "sandbox prod")
    lines = [str(d) for d in caught.value.diagnostics]
    assert lines == [
        "bad.yaml:7:9: error: spec.mergePolicy.id: no merge policy with id 'mp-404' in "
        "sandbox prod",
        "bad.yaml:10:20: error: spec.filter.segments[0].segmentId: no audience with id 'a-404' in "
        "sandbox prod",
        "bad.yaml:11:22: error: spec.filter.segments[1].segmentName: no audience named "
        "'VIP customer' in sandbox prod; did you mean 'VIP customers'?",
        "bad.yaml:12:22: error: spec.filter.segments[2].segmentName: 2 audiences are named 'Twins' "
        "in sandbox prod (a-3, a-4); give the id instead",
    ]


def test_only_the_kinds_referred_to_are_read(tmp_path: Path) -> None:
    manifests = _manifests(tmp_path, ("plain", "id: mp-1", ["segmentId: a-1"]))
    assert wants_audiences(manifests) and wants_policies(manifests)
    (tmp_path / "plain.yaml").write_text(
        JOB.format(
            name="plain", policy="id: mp-1", segments="      - {segmentId: x, segmentNs: aam}"
        )
    )
    other = load_manifests(tmp_path, load_project(tmp_path), None)
    assert not wants_audiences(other)
    resolved, names = resolve_names(other, None, POLICIES, "sandbox prod")
    assert names == () and resolved.export_jobs[0].body["filter"]["segments"][0]["segmentId"] == "x"
