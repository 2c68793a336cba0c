"""Rules across documents: unique names, dataset references, destinations, duplicate jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aep_reconciler.diagnostics import Diagnostic
from aep_reconciler.fingerprint import fingerprint
from aep_reconciler.manifests.documents import Document, format_path
from aep_reconciler.manifests.model_errors import did_you_mean
from aep_reconciler.manifests.validation import Checked, declared_key, declared_reference
from aep_reconciler.resources import DATASET, DesiredDataset, DesiredExportJob
from aep_reconciler.wire import PROFILE_UNION_SCHEMA

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


def unusable_destination(body: Mapping[str, Any]) -> str | None:
    """Why profiles cannot be exported into a dataset with this body, or None."""
    schema_id = (body.get("schemaRef") or {}).get("id")
    if schema_id != PROFILE_UNION_SCHEMA:
        return f"its schemaRef.id must be {PROFILE_UNION_SCHEMA}"
    if (body.get("fileDescription") or {}).get("persisted") is not True:
        return "its fileDescription.persisted must be true"
    return None


def _references(
    checked: Sequence[Checked], failed: Sequence[Document]
) -> list[tuple[Document, str]]:
    """(document, Dataset name) of every ``destination.dataset``, in valid and invalid jobs.

    A job that fails its own checks still names its destination: a dangling one is
    reported in the same pass as the job's other errors.
    """
    refs = [
        (c.doc, c.resource.dataset)
        for c in checked
        if isinstance(c.resource, DesiredExportJob) and c.resource.dataset is not None
    ]
    for doc in failed:
        name = declared_reference(doc)
        if name is not None:
            refs.append((doc, name))
    return refs


def dataset_references(
    checked: Sequence[Checked], failed: Sequence[Document] = ()
) -> list[Diagnostic]:
    """destination.dataset names a Dataset manifest that profiles can be exported to.

    ``failed`` holds the documents that failed their own checks: a reference to a Dataset
    among them is not dangling (its own diagnostics say what is wrong), and their own
    references are checked too.
    """
    datasets = {
        c.resource.key.name: c.resource for c in checked if isinstance(c.resource, DesiredDataset)
    }
    declared = {key for doc in failed if (key := declared_key(doc)) is not None}
    out = []
    for doc, name in _references(checked, failed):
        where = doc.at(_DEST)
        target = datasets.get(name)
        if target is None and (DATASET, name) in declared:
            continue
        if target is None:
            hint = did_you_mean(name, datasets)
            msg = f"no Dataset manifest named '{name}'{hint}"
            out.append(Diagnostic(msg, where, format_path(_DEST)))
            continue
        problem = unusable_destination(target.body)
        if problem:
            msg = f"Dataset '{name}' cannot receive a profile export: {problem}"
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


def previous_names(checked: Sequence[Checked]) -> list[Diagnostic]:
    """metadata.previousNames name no current manifest of the kind, and one manifest each."""
    current = {(c.resource.key.kind, c.resource.key.name) for c in checked}
    claimed: dict[tuple[str, str], Checked] = {}
    out = []
    for item in checked:
        kind = item.resource.key.kind
        for index, old in enumerate(item.resource.previous_names):
            where = ("metadata", "previousNames", index)
            if (kind, old) in current:
                msg = f"'{old}' is the name of a {kind} manifest; previousNames lists names no "
                msg += "manifest has any more"
                out.append(Diagnostic(msg, item.doc.at(where), format_path(where)))
            elif (kind, old) in claimed and claimed[(kind, old)] is not item:
                first = claimed[(kind, old)]
                msg = f"'{old}' is a previous name of {kind} '{first.resource.key.name}' too "
                msg += f"({first.doc.start}); one object cannot become two"
                out.append(Diagnostic(msg, item.doc.at(where), format_path(where)))
            else:
                claimed[(kind, old)] = item
    return out


def check_set(checked: Sequence[Checked], failed: Sequence[Document] = ()) -> list[Diagnostic]:
    """Every rule that needs more than one document."""
    refs = dataset_references(checked, failed)
    return unique_names(checked) + refs + duplicate_requests(checked) + previous_names(checked)
