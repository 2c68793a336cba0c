"""Rules across documents: unique names, dataset references, destinations, duplicate jobs."""

from __future__ import annotations

from collections.abc import Sequence, Set

from reconciler.diagnostics import Diagnostic
from reconciler.fingerprint import fingerprint
from reconciler.manifests.documents import format_path
from reconciler.manifests.model_errors import did_you_mean
from reconciler.manifests.validation import Checked
from reconciler.resources import DATASET, DesiredDataset, DesiredExportJob
from reconciler.wire import PROFILE_UNION_SCHEMA

_NAME = ("metadata", "name")
_DEST = ("spec", "destination", "dataset")


def unique_names(checked: Sequence[Checked]) -> list[Diagnostic]:
    """metadata.name is unique per kind."""
    first: dict[tuple[str, str], Checked] = {}
    out = []
    for item in checked:
        key = (item.resource.key.kind, item.resource.key.name)
        if key in first:
            earlier = first[key].doc.at(_NAME)
            msg = f"duplicate {key[0]} name '{key[1]}' (first defined at {earlier})"
            out.append(Diagnostic(msg, item.doc.at(_NAME), format_path(_NAME)))
        else:
            first[key] = item
    return out


def _unusable_destination(dataset: DesiredDataset) -> str | None:
    body = dataset.body
    schema_id = (body.get("schemaRef") or {}).get("id")
    if schema_id != PROFILE_UNION_SCHEMA:
        return f"its schemaRef.id must be {PROFILE_UNION_SCHEMA}"
    if (body.get("fileDescription") or {}).get("persisted") is not True:
        return "its fileDescription.persisted must be true"
    return None


def dataset_references(
    checked: Sequence[Checked], declared: Set[tuple[str, str]] = frozenset()
) -> list[Diagnostic]:
    """destination.dataset names a Dataset manifest that profiles can be exported to.

    ``declared`` holds (kind, name) of documents that failed their own checks: a reference
    to one of them is not dangling, and the document's own diagnostics say what is wrong.
    """
    datasets = {
        c.resource.key.name: c.resource for c in checked if isinstance(c.resource, DesiredDataset)
    }
    out = []
    for item in checked:
        job = item.resource
        if not isinstance(job, DesiredExportJob) or job.dataset is None:
            continue
        where = item.doc.at(_DEST)
        target = datasets.get(job.dataset)
        if target is None and (DATASET, job.dataset) in declared:
            continue
        if target is None:
            hint = did_you_mean(job.dataset, datasets)
            msg = f"no Dataset manifest named '{job.dataset}'{hint}"
            out.append(Diagnostic(msg, where, format_path(_DEST)))
            continue
        problem = _unusable_destination(target)
        if problem:
            msg = f"Dataset '{job.dataset}' cannot receive a profile export: {problem}"
            out.append(Diagnostic(msg, where, format_path(_DEST)))
    return out


def duplicate_requests(checked: Sequence[Checked]) -> list[Diagnostic]:
    """Two ExportJobs with the same effective request would export the same data twice."""
    first: dict[str, Checked] = {}
    out = []
    for item in checked:
        if not isinstance(item.resource, DesiredExportJob):
            continue
        print_ = fingerprint(item.resource.body)
        if print_ in first:
            other = first[print_]
            msg = (
                f"same effective request as ExportJob '{other.resource.key.name}' "
                f"({other.doc.start}); merge them or change one"
            )
            out.append(Diagnostic(msg, item.doc.at(("spec",), key=True), "spec"))
        else:
            first[print_] = item
    return out


def check_set(
    checked: Sequence[Checked], declared: Set[tuple[str, str]] = frozenset()
) -> list[Diagnostic]:
    """Every rule that needs more than one document."""
    refs = dataset_references(checked, declared)
    return unique_names(checked) + refs + duplicate_requests(checked)
