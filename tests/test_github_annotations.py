"""Failures become GitHub workflow commands with the runner's escaping, when asked to."""

from __future__ import annotations

import pytest

from aep_reconciler.applier import Event, Outcome
from aep_reconciler.cli import main
from aep_reconciler.diagnostics import Diagnostic, Severity, SourceRange
from aep_reconciler.plan import Action, Change
from aep_reconciler.render import github
from aep_reconciler.render.events import print_event
from aep_reconciler.resources import ResourceKey


def test_a_diagnostic_is_an_annotation_on_its_file_line_and_column() -> None:
    diag = Diagnostic("bad: 100%\nreally", SourceRange("specs/a,b.yaml", 3, 7), "spec.name")
    assert github.diagnostic(diag) == (
        "::error file=specs/a%2Cb.yaml,line=3,col=7,title=reconciler"
        "::spec.name: bad: 100%25%0Areally"
    )
    warning = Diagnostic("odd", None, severity=Severity.WARNING)
    assert github.diagnostic(warning, "t:x") == "::warning title=t%3Ax::odd"


@pytest.mark.parametrize(
    ("fmt", "env", "on"),
    [("github", {}, True), ("text", {"GITHUB_ACTIONS": "true"}, True), ("text", {}, False)],
)
def test_annotations_are_on_under_actions_or_when_asked(
    fmt: str, env: dict[str, str], on: bool
) -> None:
    assert github.enabled(fmt, env) is on


def test_errors_outside_manifests_are_annotated_too(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.chdir(str(tmp_path))
    assert main(["plan", "no-such-folder"]) == 1
    err = capsys.readouterr().err
    assert "::error title=reconciler plan::no-such-folder: no such file or directory" in err


def test_a_change_that_fails_during_apply_is_annotated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    change = Change(ResourceKey("Dataset", "profile-export"), Action.CREATE, "not in the sandbox")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    print_event(Event(Outcome.SUCCEEDED, change, id="d1"), annotate="reconciler apply")
    print_event(
        Event(Outcome.FAILED, change, "POST /dataSets failed: HTTP 400: bad schema"),
        annotate="reconciler apply",
    )
    err = capsys.readouterr().err
    assert err == (
        "::error title=reconciler apply::create Dataset/profile-export failed: "
        "POST /dataSets failed: HTTP 400: bad schema\n"
    )
    monkeypatch.delenv("GITHUB_ACTIONS")
    print_event(Event(Outcome.FAILED, change, "again"), annotate="reconciler apply")
    assert capsys.readouterr().err == ""
