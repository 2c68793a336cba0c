"""Drift findings of one or more targets → text, JSON and Markdown reports."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aep_reconciler.field_paths import value_at
from aep_reconciler.plan import Endpoint, Finding, FindingType, Plan
from aep_reconciler.render.plan import endpoint_markdown, value_text

REPORT_FORMAT_VERSION = "1.0"  # the drift report's JSON, versioned apart from the plan's
_MAX_VALUE_CHARS = 200  # a whole export request is too long for one text line
_TYPE_WIDTH = max(len(t.value) for t in FindingType)  # the text report's first column


@dataclass(frozen=True)
class TargetReport:
    """What ``reconciler drift`` found on one target, or why it could not look."""

    target: str
    stack: str
    findings: tuple[Finding, ...] = ()
    ignored: Mapping[str, int] = field(default_factory=dict)  # "Kind/name" -> fields ignored
    error: str | None = None
    endpoint: Endpoint | None = None
    notes: tuple[str, ...] = ()  # for people: nothing drifted because of them

    @classmethod
    def from_plan(cls, plan: Plan) -> TargetReport:
        return cls(
            plan.target, plan.stack, plan.findings, dict(plan.ignored), None, plan.endpoint,
            plan.notes,
        )  # fmt: skip

    @property
    def drifted(self) -> tuple[Finding, ...]:
        """The findings that are drift: all but the acknowledged foreign jobs."""
        return tuple(f for f in self.findings if f.is_drift)

    @property
    def in_sync(self) -> bool:
        return self.error is None and not self.drifted

    @property
    def ignored_total(self) -> int:
        return sum(self.ignored.values())

    def counts(self) -> dict[str, int]:
        """Findings per type, every type present (zero included), in declaration order."""
        found = Counter(f.type for f in self.findings)
        return {t.value: found.get(t, 0) for t in FindingType}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "target": self.target,
            "stack": self.stack,
            "endpoint": self.endpoint.to_json() if self.endpoint else None,
            "in_sync": self.in_sync,
            "findings": [f.to_json() for f in self.findings],
            "counts": self.counts(),
            "ignored": dict(sorted(self.ignored.items())),
            "notes": list(self.notes),
        }
        if self.error is not None:
            data["error"] = self.error
        return data


def _short(value: Any) -> str:
    text = value_text(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def field_changes(finding: Finding) -> list[tuple[str, Any, Any]]:
    """(path, live value, declared value) for each field the finding names."""
    return [(p, value_at(finding.live, p), value_at(finding.declared, p)) for p in finding.paths]


def _summary(report: TargetReport) -> str:
    if report.error is not None:
        return f"error: {report.error}"
    ignored = report.ignored_total
    counts = report.counts()
    acknowledged = counts.pop(FindingType.ACKNOWLEDGED.value)
    tail = f"; {acknowledged} acknowledged" if acknowledged else ""
    tail += f"; {ignored} field(s) ignored by ignoreFields" if ignored else ""
    if report.in_sync:
        return f"in sync{tail}"
    parts = [f"{n} {t}" for t, n in counts.items() if n]
    total = len(report.drifted)
    return f"{total} finding{'s' if total != 1 else ''} ({', '.join(parts)}){tail}"


def finding_text(finding: Finding) -> str:
    ident = f" ({finding.id})" if finding.id else ""
    fields = "; ".join(f"{p}: {_short(lv)} → {_short(dv)}" for p, lv, dv in field_changes(finding))
    tail = f" [{fields}]" if fields else ""
    return (
        f"  {finding.type.value:<{_TYPE_WIDTH}} {finding.kind}/{finding.name}{ident}: "
        f"{finding.detail} ({finding.origin.value}){tail}"
    )


def report_text(reports: Sequence[TargetReport]) -> str:
    lines: list[str] = []
    for report in reports:
        if lines:
            lines.append("")
        where = f" on {report.endpoint.describe()}" if report.endpoint else ""
        lines.append(f"target {report.target} (stack {report.stack}){where}:")
        lines += [finding_text(f) for f in report.findings]
        if report.ignored:
            named = ", ".join(f"{k}: {n}" for k, n in sorted(report.ignored.items()))
            lines.append(f"  ignored by ignoreFields: {named}")
        lines += [f"  note: {n}" for n in report.notes]
        lines.append(f"Drift {report.target}: {_summary(report)}.")
    return "\n".join(lines) + "\n"


def report_json(reports: Sequence[TargetReport]) -> str:
    data: dict[str, Any] = {
        "format_version": REPORT_FORMAT_VERSION,
        "in_sync": all(r.in_sync for r in reports),
        "targets": [r.to_json() for r in reports],
    }
    if len(reports) == 1:  # issue 5's single-target shape stays valid
        only = data["targets"][0]
        data.update(
            target=only["target"],
            stack=only["stack"],
            endpoint=only["endpoint"],
            findings=only["findings"],
        )
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


_ICON = {True: "✅", False: "⚠️"}


def _md_target(report: TargetReport) -> list[str]:
    icon = "❌" if report.error is not None else _ICON[report.in_sync]
    lines = [
        f"### {icon} drift: `{report.target}` (stack `{report.stack}`)",
        "",
        *endpoint_markdown(report.endpoint),
        f"**{_md(_summary(report))}**",
        "",
    ]
    if report.findings:
        lines += [
            "| type | object | id | fields | detail | origin |",
            "|---|---|---|---|---|---|",
        ]
        for f in report.findings:
            lines.append(
                f"| {f.type.value} | `{f.kind}/{_md(f.name)}` | {_md(f.id or '')} "
                f"| {_md(', '.join(f.paths))} | {_md(f.detail)} | {f.origin.value} |"
            )
        lines.append("")
    for f in report.findings:
        changes = field_changes(f)
        if not changes:
            continue
        lines += [
            "<details>",
            f"<summary><b>{f.kind}/{_md(f.name)}</b>: live vs declared</summary>",
            "",
            "```diff",
        ]
        for path, live, declared in changes:
            lines += [f"- {path}: {_short(live)}", f"+ {path}: {_short(declared)}"]
        lines += ["```", "", "</details>", ""]
    if report.ignored:
        named = ", ".join(f"`{k}`: {n}" for k, n in sorted(report.ignored.items()))
        lines += [f"_Ignored by ignoreFields: {named}._", ""]
    lines += [f"_Note: {_md(n)}._" for n in report.notes]
    if report.notes:
        lines.append("")
    return lines


def report_markdown(reports: Sequence[TargetReport]) -> str:
    lines: list[str] = []
    for report in reports:
        lines += _md_target(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def render(reports: Sequence[TargetReport], fmt: str) -> str:
    if fmt == "json":
        return report_json(reports)
    if fmt == "markdown":
        return report_markdown(reports)
    return report_text(reports)
