"""The manifest tree: every manifest file under a path, loaded and checked in one pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aep_reconciler.diagnostics import (
    ConfigError,
    Diagnostic,
    ManifestError,
    display_path,
    sorted_diagnostics,
)
from aep_reconciler.manifests.crosschecks import check_set
from aep_reconciler.manifests.documents import Document, load_file
from aep_reconciler.manifests.project import CONFIG_NAMES, Project, select_target
from aep_reconciler.manifests.validation import Checked, check_document
from aep_reconciler.resources import DesiredDataset, DesiredExportJob, ManifestSet


def default_root() -> Path:
    """Where manifests live when no PATH is given: ``specs/`` if it exists, else here."""
    specs = Path("specs")
    return specs if specs.is_dir() else Path(".")


def manifest_files(root: Path) -> list[Path]:
    """Every *.yaml/*.yml below ``root`` (or ``root`` itself), except hidden ones and configs."""
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in (".yaml", ".yml") and path.name not in CONFIG_NAMES and path.is_file():
            found.append(path)
    return found


@dataclass(frozen=True)
class Loaded:
    """What one validation pass saw."""

    manifests: ManifestSet | None
    diagnostics: list[Diagnostic]
    files: int
    documents: int
    target: str | None


def collect_manifests(
    root: Path,
    project: Project,
    target: str | None,
    overrides: Mapping[str, str] | None = None,
    *,
    allow_empty: bool = False,
) -> Loaded:
    """Every manifest under ``root`` checked in one pass; manifests is None on any error.

    No manifest file at all is an error (a misread directory), unless ``allow_empty``.
    Variables: ``overrides`` (``--var``, ``RECONCILER_VAR_*``) over the target's, over the
    shared ones of reconciler.yaml.
    """
    if not root.exists():
        raise ConfigError(f"{display_path(root)}: no such file or directory")
    chosen = select_target(project, target)
    variables = dict(chosen.variables) if chosen else dict(project.variables)
    variables.update(overrides or {})
    name = chosen.name if chosen else None
    files = manifest_files(root)
    diags: list[Diagnostic] = []
    checked: list[Checked] = []
    failed: list[Document] = []
    count = 0
    for path in files:
        docs, file_diags = load_file(path, display_path(path))
        diags += file_diags
        count += len(docs)
        for doc in docs:
            item, doc_diags = check_document(doc, variables)
            diags += doc_diags
            if item is not None:
                checked.append(item)
            else:
                failed.append(doc)
    if not files and not allow_empty:
        diags.append(Diagnostic("no *.yaml or *.yml manifest files found", None))
    diags += check_set(checked, failed)
    if diags:
        return Loaded(None, sorted_diagnostics(diags), len(files), count, name)
    return Loaded(_manifest_set(checked, files), [], len(files), count, name)


def _manifest_set(checked: list[Checked], files: list[Path]) -> ManifestSet:
    datasets = [c.resource for c in checked if isinstance(c.resource, DesiredDataset)]
    jobs = [c.resource for c in checked if isinstance(c.resource, DesiredExportJob)]
    return ManifestSet(
        datasets=tuple(sorted(datasets, key=lambda d: d.key)),
        export_jobs=tuple(sorted(jobs, key=lambda j: j.key)),
        files=tuple(display_path(f) for f in files),
    )


def load_manifests(
    root: Path,
    project: Project,
    target: str | None,
    overrides: Mapping[str, str] | None = None,
    *,
    allow_empty: bool = False,
) -> ManifestSet:
    """The desired resources under ``root`` (a directory or one file); raises ManifestError."""
    loaded = collect_manifests(root, project, target, overrides, allow_empty=allow_empty)
    if loaded.manifests is None:
        raise ManifestError(loaded.diagnostics)
    return loaded.manifests
