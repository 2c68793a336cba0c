"""Merge policy and audience references of ExportJob manifests, checked against the target.

Ids differ per sandbox, so a manifest may name a merge policy (``mergePolicy.name``) or an
audience (``segmentName``) instead; plan resolves names to ids here, per target, and an id
or name the sandbox does not have is a diagnostic at the manifest's line and column,
before anything is written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aep_reconciler.diagnostics import Diagnostic, ManifestError
from aep_reconciler.manifests.model_errors import did_you_mean
from aep_reconciler.plan import Resolution
from aep_reconciler.resources import DesiredExportJob, ManifestSet

POLICY_PATHS = ("spec.mergePolicy.id", "spec.mergePolicy.name")
UPS = "ups"


@dataclass(frozen=True)
class Catalogue:
    """One kind of object of the sandbox: id → name."""

    noun: str  # "audience", "merge policy"
    names: Mapping[str, str]

    @classmethod
    def of(cls, noun: str, records: Iterable[Mapping[str, Any]]) -> Catalogue:
        return cls(noun, {str(r["id"]): str(r.get("name", "")) for r in records if "id" in r})

    def ids_named(self, name: str) -> list[str]:
        return sorted(i for i, n in self.names.items() if n == name)


def _segments(job: DesiredExportJob) -> list[dict[str, Any]]:
    segments = (job.body.get("filter") or {}).get("segments") or []
    return [s for s in segments if isinstance(s, dict)]


def wants_audiences(manifests: ManifestSet) -> bool:
    return any(
        s.get("segmentNs", UPS) == UPS for job in manifests.export_jobs for s in _segments(job)
    )


def wants_policies(manifests: ManifestSet) -> bool:
    return any(job.body.get("mergePolicy") for job in manifests.export_jobs)


class _Resolver:
    def __init__(self, audiences: Catalogue | None, policies: Catalogue | None, where: str):
        self.audiences = audiences
        self.policies = policies
        self.where = where
        self.diagnostics: list[Diagnostic] = []
        self.resolved: list[Resolution] = []

    def _problem(self, job: DesiredExportJob, path: str, message: str) -> None:
        source = job.positions.get(path, job.source)
        self.diagnostics.append(Diagnostic(message, source, path))

    def one(
        self, job: DesiredExportJob, path: str, value: str, by_name: bool, cat: Catalogue
    ) -> str:
        """The id ``value`` stands for, or ``value`` itself after recording a diagnostic."""
        if not by_name:
            if value not in cat.names:
                self._problem(job, path, f"no {cat.noun} with id '{value}' in {self.where}")
            return value
        ids = cat.ids_named(value)
        if len(ids) == 1:
            self.resolved.append(Resolution(job.key.kind, job.key.name, path, value, ids[0]))
            return ids[0]
        if ids:
            listed = ", ".join(ids)
            message = f"{len(ids)} {cat.noun}s are named '{value}' in {self.where} ({listed})"
            message += "; give the id instead"
        else:
            hint = did_you_mean(value, sorted(set(cat.names.values())))
            message = f"no {cat.noun} named '{value}' in {self.where}{hint}"
        self._problem(job, path, message)
        return value

    def job(self, job: DesiredExportJob) -> DesiredExportJob:
        body = copy.deepcopy(dict(job.body))
        policy = body.get("mergePolicy")
        if isinstance(policy, dict) and self.policies is not None:
            by_name = "name" in policy
            path = POLICY_PATHS[1] if by_name else POLICY_PATHS[0]
            value = str(policy.pop("name") if by_name else policy["id"])
            policy["id"] = self.one(job, path, value, by_name, self.policies)
            body["mergePolicy"] = {"id": policy.pop("id"), **policy}
        segments = (body.get("filter") or {}).get("segments") or []
        for index, seg in enumerate(segments):
            if self.audiences is None or seg.get("segmentNs", UPS) != UPS:
                if "segmentName" in seg:
                    path = f"spec.filter.segments[{index}].segmentName"
                    self._problem(job, path, "segmentName needs segmentNs ups (audiences)")
                continue
            by_name = "segmentName" in seg
            field_ = "segmentName" if by_name else "segmentId"
            path = f"spec.filter.segments[{index}].{field_}"
            found = self.one(job, path, str(seg.pop(field_)), by_name, self.audiences)
            segments[index] = {"segmentId": found, **seg}
        return replace(job, body=body)


def resolve_names(
    manifests: ManifestSet,
    audiences: Sequence[Mapping[str, Any]] | None,
    policies: Sequence[Mapping[str, Any]] | None,
    where: str,
) -> tuple[ManifestSet, tuple[Resolution, ...]]:
    """Every reference checked and every name replaced by its id; ManifestError if any fails.

    ``audiences`` / ``policies`` None: that kind was not read (no manifest refers to it).
    """
    resolver = _Resolver(
        None if audiences is None else Catalogue.of("audience", audiences),
        None if policies is None else Catalogue.of("merge policy", policies),
        where,
    )
    jobs = tuple(resolver.job(job) for job in manifests.export_jobs)
    if resolver.diagnostics:
        raise ManifestError(resolver.diagnostics)
    return replace(manifests, export_jobs=jobs), tuple(resolver.resolved)
