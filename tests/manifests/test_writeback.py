"""drift --write: which findings reach the manifests, and what is reported instead."""

from __future__ import annotations

from pathlib import Path

from aep_reconciler.manifests.project import load_project
from aep_reconciler.manifests.tree import load_manifests
from aep_reconciler.manifests.writeback import write_back
from aep_reconciler.plan import Finding, FindingType, Origin

MANIFEST = """\
apiVersion: reconciler/v1
kind: Dataset
metadata:
  name: growth
spec:
  name: Growth   # shown in the UI
  description: ${var.about}
  schemaRef:
    id: https://ns.adobe.com/xdm/context/profile__union
  tags:
    team: [growth]
"""


def _changed(paths: tuple[str, ...], live: dict[str, object], origin: Origin) -> Finding:
    return Finding("Dataset", "growth", FindingType.CHANGED, "5c1f", paths, "", live, None, origin)


def test_platform_changes_are_written_and_the_rest_reported(tmp_path: Path) -> None:
    path = tmp_path / "growth.yaml"
    path.write_text(MANIFEST)
    (tmp_path / "reconciler.yaml").write_text("stack: s\nvariables: {about: Nightly}\n")
    manifests = load_manifests(tmp_path, load_project(tmp_path), None)
    platform = _changed(
        ("name", "description", "tags.web"),
        {"name": "Growth EU", "description": "Hourly", "tags": {"team": ["growth"], "web": ["y"]}},
        Origin.PLATFORM,
    )
    both = _changed(("tags.team",), {"tags": {"team": ["crm"]}}, Origin.BOTH)
    missing = Finding("Dataset", "gone", FindingType.MISSING)
    done = write_back([platform, both, missing], manifests)
    text = path.read_text()
    assert "name: Growth EU # shown in the UI" in text  # the comment stays, as near as fits
    assert "description: ${var.about}" in text and "web: [y]" in text
    assert "team: [growth]" in text
    assert [(str(k), p) for k, p, _ in done.refused] == [
        ("Dataset/growth", "tags.team"),
        ("Dataset/growth", "description"),
    ]
    assert [e.path for e in done.edits] == [Path(manifests.files[0])]
    assert "+  name: Growth EU" in done.edits[0].diff()
    assert not done.resolved(platform)  # its description could not be written
    assert not done.resolved(both) and not done.resolved(missing)
