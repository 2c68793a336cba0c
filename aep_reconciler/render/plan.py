"""Plans, findings and apply events → text, JSON and Markdown for people and machines."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from aep_reconciler.field_paths import value_at
from aep_reconciler.plan import Action, Change, Endpoint, Finding, Plan

_COLOURS = {"+": "32", "~": "33", "-": "31", "-/+": "35", "=": "36", "!": "33", "x": "31"}


def use_colour(stream: TextIO) -> bool:
    """Colour on a terminal; never when NO_COLOR is set (no-color.org, ``--no-color``);
    always when FORCE_COLOR is set to anything but 0 (CI logs that render ANSI)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _paint(text: str, symbol: str, colour: bool) -> str:
    code = _COLOURS.get(symbol)
    return f"\033[{code}m{text}\033[0m" if colour and code else text


def value_text(value: Any) -> str:
    """A field's value as the plan and drift reports print it: JSON, keys sorted."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        out: list[tuple[str, Any]] = []
        for key in sorted(value):
            out += _flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
        return out
    return [(prefix, value)]


def _shown(body: Mapping[str, Any]) -> dict[str, Any]:
    """A body as reviewers read it: our ownership tags are bookkeeping, not content."""
    out = dict(body)
    tags = out.get("tags")
    if isinstance(tags, Mapping):
        out["tags"] = {k: v for k, v in tags.items() if not str(k).startswith("reconciler-")}
        if not out["tags"]:
            del out["tags"]
    return out


def label(change: Change) -> str:
    """``Kind/name``, or ``Kind/old → new`` for a rename (metadata.previousNames)."""
    if change.moved_from is not None:
        return f"{change.moved_from} → {change.name}"
    return str(change.key)


def _whole_body(change: Change) -> bool:
    """A create shows its whole body, unless it follows an older job: then what changed."""
    return change.action is Action.CREATE and bool(change.after) and change.before is None


def change_lines(change: Change, colour: bool) -> list[str]:
    symbol = change.action.symbol
    ident = f" ({change.id})" if change.id else ""
    head = _paint(f"  {symbol:>3} {label(change)}{ident}", symbol, colour)
    lines = [f"{head}: {change.reason}"]
    if change.blocked:
        lines.append(_paint(f"        blocked: {change.blocked}", "x", colour))
    if _whole_body(change):
        lines += [f"        {p} = {value_text(v)}" for p, v in _flatten(_shown(change.after or {}))]
    elif change.action is not Action.NOOP and change.paths:
        for path in change.paths:
            before, after = value_at(change.before, path), value_at(change.after, path)
            lines.append(f"        ~ {path}: {value_text(before)} → {value_text(after)}")
    if change.cancel_ids and change.action is not Action.CANCEL:
        lines.append(f"        cancels job {', '.join(change.cancel_ids)}")
    return lines


def finding_line(finding: Finding) -> str:
    ident = f" ({finding.id})" if finding.id else ""
    paths = f" [{', '.join(finding.paths)}]" if finding.paths else ""
    return (
        f"  {finding.type.value:>9} {finding.kind}/{finding.name}{ident}{paths}: {finding.detail}"
    )


def summary_line(plan: Plan) -> str:
    s = plan.summary()
    parts = [
        f"{s['create']} to create",
        f"{s['update']} to update",
        f"{s['replace']} to replace",
        f"{s['cancel']} to cancel",
        f"{s['delete']} to delete",
    ]
    if s["adopt"]:
        parts.append(f"{s['adopt']} to adopt")
    tail = f"{s['no-op']} unchanged"
    if s["blocked"]:
        tail += f", {s['blocked']} blocked"
    if s["moved"]:
        tail += f", {s['moved']} renamed"
    if s["undeclared"]:
        tail += f" · {s['undeclared']} removed from the manifests"
    tail += f" · {len(plan.drift)} drifted outside reconciler"
    return f"Plan: {', '.join(parts)}. {tail}."


def observed_line(plan: Plan) -> str:
    o = plan.observation
    return (
        f"observed {_count(o.datasets, 'dataset')} and {_count(o.export_jobs, 'export job')} "
        f"in {_count(o.requests, 'request')} ({o.seconds:.2f} s)"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def resolved_lines(plan: Plan) -> list[str]:
    """Names in manifests and the ids they have in this target's sandbox."""
    if not plan.resolved:
        return []
    lines = ["Names resolved in the target sandbox:"]
    for r in plan.resolved:
        lines.append(f'    {r.kind}/{r.name} {r.path}: "{r.reference}" → {r.id}')
    return [*lines, ""]


def scope_line(plan: Plan) -> str:
    """The warning a plan narrowed by --only carries, or ""."""
    if not plan.scope:
        return ""
    named = ", ".join(str(k) for k in plan.scope)
    return f"Only {named} (and what it needs) was planned (--only); the rest was not compared."


def plan_text(plan: Plan, *, colour: bool = False) -> str:
    lines = [observed_line(plan), "", *resolved_lines(plan)]
    if plan.scope:
        lines += [_paint(scope_line(plan), "!", colour), ""]
    acting = [c for c in plan.changes if c.action is not Action.NOOP]
    if not acting:
        lines.append("No changes. The platform matches the manifests.")
    for change in acting:
        lines += change_lines(change, colour)
    if scheduled_lines(plan):
        lines += ["", "Recurring exports, up to date:"]
        lines += [f"  {line}" for line in scheduled_lines(plan)]
    if plan.undeclared:
        lines += ["", "Removed from the manifests:"]
        lines += [f"  {line}" for line in removed_lines(plan)]
    if plan.drift:
        lines += ["", "Changed outside reconciler:"]
        lines += [_paint(finding_line(f), "!", colour) for f in plan.drift]
    acknowledged = sorted(f.id or f.name for f in plan.findings if not f.is_drift)
    if acknowledged:
        lines += ["", f"Acknowledged foreign export jobs (not drift): {', '.join(acknowledged)}"]
    lines += [f"Note: {n}" for n in plan.notes]
    ignored = sum(plan.ignored.values())
    if ignored:
        lines += [
            "",
            f"{ignored} field(s) ignored by ignoreFields: {', '.join(sorted(plan.ignored))}",
        ]
    lines += ["", summary_line(plan)]
    return "\n".join(lines) + "\n"


def scheduled_lines(plan: Plan) -> list[str]:
    """Each recurring export with nothing to do yet, and when its next job falls due."""
    due = sorted((c for c in plan.changes if c.next_due_ms is not None), key=lambda c: c.key)
    return [f"{c.key} ({c.id}): {c.reason}" if c.id else f"{c.key}: {c.reason}" for c in due]


def removed_lines(plan: Plan) -> list[str]:
    """What happens to each object no manifest declares any more (even if nothing does)."""
    out = []
    for change in plan.undeclared:
        ident = f" ({change.id})" if change.id else ""
        blocked = f" (blocked: {change.blocked})" if change.blocked else ""
        out.append(f"{change.key}{ident}: {change.reason}{blocked}")
    return out


FORMATS = ("text", "json", "markdown")


def render(plan: Plan, fmt: str, *, colour: bool = False) -> str:
    """The plan in the format ``--format`` names: text (the default), json or markdown."""
    if fmt == "json":
        return plan_json(plan)
    if fmt == "markdown":
        return plan_markdown(plan)
    return plan_text(plan, colour=colour)


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def plan_markdown(plan: Plan) -> str:
    s = plan.summary()
    lines = [
        f"### reconciler plan: `{plan.target}` (stack `{plan.stack}`)",
        "",
        *endpoint_markdown(plan.endpoint),
        "| create | update | replace | cancel | delete | unchanged | blocked | drift |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {s['create']} | {s['update']} | {s['replace']} | {s['cancel']} | {s['delete']} "
        f"| {s['no-op']} | {s['blocked']} | {len(plan.drift)} |",
        "",
        f"_{observed_line(plan)}_",
        "",
    ]
    if plan.scope:
        lines += [f"> **Note:** {_md_escape(scope_line(plan))}", ""]
    acting = [c for c in plan.changes if c.action is not Action.NOOP]
    if not acting:
        lines.append("**No changes.** The platform matches the manifests.")
    for change in acting:
        flag = " ⛔ blocked" if change.blocked else ""
        lines += [
            "<details>",
            f"<summary><code>{change.action.symbol}</code> <b>{label(change)}</b>"
            f"{f' ({change.id})' if change.id else ''}: "
            f"{_md_escape(change.reason)}{flag}</summary>",
            "",
        ]
        if change.blocked:
            lines += [f"Blocked: {_md_escape(change.blocked)}", ""]
        lines += ["```diff", *_diff_lines(change), "```", "", "</details>"]
    if scheduled_lines(plan):
        lines += ["", "#### Recurring exports, up to date", ""]
        lines += [f"- {_md_escape(line)}" for line in scheduled_lines(plan)]
    if plan.undeclared:
        lines += ["", "#### Removed from the manifests", ""]
        lines += [f"- {_md_escape(line)}" for line in removed_lines(plan)]
    if plan.drift:
        lines += [
            "",
            "#### Changed outside reconciler",
            "",
            "| finding | object | detail |",
            "|---|---|---|",
        ]
        for f in plan.drift:
            lines.append(f"| {f.type.value} | `{f.kind}/{f.name}` | {_md_escape(f.detail)} |")
    return "\n".join(lines) + "\n"


def endpoint_markdown(endpoint: Endpoint | None) -> list[str]:
    """Where a plan or report was made, as a Markdown paragraph (nothing when unknown)."""
    if endpoint is None:
        return []
    where = (
        f"**embedded platform** (`{_md_escape(endpoint.platform)}`)"
        if endpoint.embedded
        else f"`{_md_escape(endpoint.platform)}`"
    )
    return [
        f"On {where} · org `{_md_escape(endpoint.org)}` · sandbox `{_md_escape(endpoint.sandbox)}`",
        "",
    ]


def _diff_lines(change: Change) -> Iterable[str]:
    if _whole_body(change):
        return [f"+ {p}: {value_text(v)}" for p, v in _flatten(_shown(change.after or {}))]
    if change.paths:
        out = []
        for path in change.paths:
            out += [
                f"- {path}: {value_text(value_at(change.before, path))}",
                f"+ {path}: {value_text(value_at(change.after, path))}",
            ]
        return out
    return [f"- {change.key} {change.id or ''}".rstrip()]
