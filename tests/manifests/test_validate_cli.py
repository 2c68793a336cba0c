"""`reconciler validate` and `reconciler schema` as a user runs them: exit codes and output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
CORPUS = Path(__file__).resolve().parent / "corpus"


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aep_reconciler", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def test_specs_validate_clean_by_default_for_every_target() -> None:
    result = _run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "4 files, 4 documents, target local: ok"
    result = _run("validate", "specs", "--target", "prod-example")
    assert result.returncode == 0, result.stderr
    assert "target prod-example: ok" in result.stdout


def test_errors_exit_1_with_diagnostics_on_stderr_and_no_traceback() -> None:
    result = _run("validate", "--format", "text", cwd=CORPUS / "many-files-one-pass")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    expected = (CORPUS / "many-files-one-pass" / "expected.txt").read_text().splitlines()
    assert result.stderr.splitlines()[:-1] == expected
    assert result.stderr.splitlines()[-1] == "3 files, 2 documents: 3 errors"


def test_json_format_is_versioned_and_parseable() -> None:
    result = _run("validate", str(CORPUS / "duplicate-name"), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["format_version"] == "1.0" and report["valid"] is False
    (diag,) = report["diagnostics"]
    assert diag["line"] == 16 and diag["path"] == "metadata.name"
    clean = json.loads(_run("validate", "--format", "json").stdout)
    assert clean["valid"] is True and clean["diagnostics"] == []


def test_unknown_target_exits_1_without_traceback() -> None:
    result = _run("validate", "--target", "staging")
    assert result.returncode == 1
    assert "unknown target 'staging'" in result.stderr and "Traceback" not in result.stderr


def test_default_path_is_the_working_directory_without_specs(tmp_path: Path) -> None:
    shutil.copy(SPECS / "datasets" / "profile-export.yaml", tmp_path / "ds.yaml")
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 file, 1 document: ok"


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    result = _run("validate", str(tmp_path / "nope"))
    assert result.returncode == 1 and "no such file or directory" in result.stderr


def test_schema_command_prints_a_json_schema() -> None:
    result = _run("schema")
    schema = json.loads(result.stdout)
    assert result.returncode == 0
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert len(schema["oneOf"]) == 2
    kind = json.loads(_run("schema", "--kind", "ExportJob").stdout)
    assert kind["$ref"] == "#/$defs/ExportJobManifest"
    assert (
        "stack"
        in json.loads(_run("schema", "--project").stdout)["$defs"]["ProjectModel"]["properties"]
    )


def test_pre_commit_hook_runs_reconciler_validate() -> None:
    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "reconciler-validate"]
    assert hook["entry"].startswith("reconciler validate")
    assert hook["pass_filenames"] is False and hook["language"] == "python"
