"""Every bad manifest in the corpus gives exactly its expected diagnostics, and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aep_reconciler.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())

# One case per rule of issue 3; the corpus may grow but must keep these.
RULES = {
    "yaml-syntax-error", "duplicate-key", "schema-unknown-field", "schema-wrong-type",
    "schema-missing-required", "bad-rfc3339-time", "schema-bad-segment-status",
    "bad-fields-path", "duplicate-name", "dangling-dataset", "destination-not-union",
    "destination-not-persisted", "duplicate-request", "reserved-tags", "undefined-variable",
    "python-tag", "custom-tag", "alias-bomb", "recursive-alias", "merge-key", "non-utf8",
    "empty-file", "literal-secret-in-manifest", "literal-secret-in-config", "bad-config",
    "schema-destination-both", "schema-destination-neither", "schema-unknown-kind",
    "schema-bad-name", "schema-bad-api-version", "bad-ignore-fields", "not-a-mapping",
    "many-files-one-pass",
}  # fmt: skip


def test_corpus_covers_every_rule() -> None:
    assert RULES <= set(CASES)


def _validate(case: str, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.chdir(CORPUS / case)
    return main(["validate", ".", *argv])


@pytest.mark.parametrize("case", CASES)
def test_case_gives_exactly_the_expected_diagnostics(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, f"{case}: expected.txt is empty"
    code = _validate(case, monkeypatch)
    lines = capsys.readouterr().err.splitlines()
    assert code == 1
    assert lines[:-1] == expected
    assert lines[-1].endswith(f": {len(expected)} error" + ("s" if len(expected) > 1 else ""))


@pytest.mark.parametrize("case", CASES)
def test_json_format_carries_the_same_diagnostics(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    code = _validate(case, monkeypatch, "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["format_version"] == "1.0" and report["valid"] is False
    assert [_render(d) for d in report["diagnostics"]] == expected


def _render(d: dict[str, object]) -> str:
    where = f"{d['file']}:{d['line']}:{d['col']}" if d["line"] else str(d["file"])
    field = f"{d['path']}: " if d["path"] else ""
    return f"{where}: {d['severity']}: {field}{d['message']}"


SECRETS = (
    "0123456789abcdef0123456789abcdef",
    "p8e-AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "eyJhbGciOiJSUzI1NiJ9",
)


@pytest.mark.parametrize("case", ["literal-secret-in-config", "literal-secret-in-manifest"])
def test_literal_secrets_are_reported_but_never_echoed(
    case: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _validate(case, monkeypatch) == 1
    _validate(case, monkeypatch, "--format", "json")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "value not shown" in text
    for secret in SECRETS:
        assert secret not in text


def test_every_case_has_inputs_and_expectations() -> None:
    for case in CASES:
        names = {p.name for p in (CORPUS / case).iterdir()}
        assert "expected.txt" in names and len(names) >= 2
