"""``drift --write``: the platform's values of fields changed outside reconciler, written
back into the manifests that declare them (the way back into git after a deliberate
change in the UI or a script).

Only ``changed`` findings whose origin is the platform qualify, and only their differing
fields change, through ``editing`` (comments, key order, anchors and quoting kept). A
field whose manifest value is a ``${var.X}`` reference is reported, never replaced by a
literal; so is a field changed in the manifest too (``both``: a person decides).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aep_reconciler.field_paths import value_at
from aep_reconciler.manifests.editing import ABSENT, edit_document
from aep_reconciler.plan import Finding, FindingType, Origin
from aep_reconciler.resources import ManifestSet, ResourceKey


@dataclass(frozen=True)
class FileEdit:
    path: Path
    before: str
    after: str

    def diff(self) -> str:
        name = str(self.path)
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
        return "".join(lines)


@dataclass
class WriteBack:
    edits: list[FileEdit] = field(default_factory=list)
    refused: list[tuple[ResourceKey, str, str]] = field(default_factory=list)  # key, path, why

    def resolved(self, finding: Finding) -> bool:
        """True when every field of a platform-made change is in git now."""
        key = ResourceKey(finding.kind, finding.name)
        return _wanted(finding) and not any(r[0] == key for r in self.refused)


def _wanted(finding: Finding) -> bool:
    return finding.type is FindingType.CHANGED and finding.origin is Origin.PLATFORM


def _value(live: Mapping[str, Any] | None, path: str) -> Any:
    node = value_at(live, path)
    return ABSENT if node is None else node


def _edits(finding: Finding) -> dict[tuple[str, ...], Any]:
    return {("spec", *p.split(".")): _value(finding.live, p) for p in finding.paths}


def write_back(findings: Iterable[Finding], manifests: ManifestSet) -> WriteBack:
    """Edit the manifests of every qualifying finding; write each changed file once."""
    result = WriteBack()
    by_file: dict[Path, list[Finding]] = {}
    for finding in findings:
        key = ResourceKey(finding.kind, finding.name)
        if finding.type is FindingType.CHANGED and finding.origin is Origin.BOTH:
            for field_path in finding.paths:
                why = "changed in the manifest too; decide by hand"
                result.refused.append((key, field_path, why))
        source = manifests.source_of(key) if _wanted(finding) else None
        if source is not None:
            by_file.setdefault(Path(source.file), []).append(finding)
    for path, found in sorted(by_file.items()):
        edited = _edit_file(path, found, result)
        if edited is not None:
            path.write_text(edited.after, encoding="utf-8")
            result.edits.append(edited)
    return result


def _edit_file(path: Path, found: Sequence[Finding], result: WriteBack) -> FileEdit | None:
    before = text = path.read_text(encoding="utf-8")
    for finding in found:
        edited = edit_document(text, finding.kind, finding.name, _edits(finding))
        key = ResourceKey(finding.kind, finding.name)
        result.refused += [(key, ".".join(p[1:]), why) for p, why in edited.refused]
        text = edited.text if edited.text is not None else text
    return FileEdit(path, before, text) if text != before else None
