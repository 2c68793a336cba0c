"""The JSON Schema accepts specs/ and rejects the corpus's schema-level errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aep_reconciler.manifests.json_schema import manifest_schema, project_schema

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPECS = ROOT / "specs"
CHECKER = Path(sys.executable).parent / "check-jsonschema"
SCHEMA_CASES = sorted(p for p in (HERE / "corpus").iterdir() if p.name.startswith("schema-"))
SPEC_DOCS = sorted(p for p in SPECS.rglob("*.yaml") if p.name != "reconciler.yaml")


def _check(schema: dict[str, object], tmp_path: Path, *files: Path) -> int:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    cmd = [str(CHECKER), "--schemafile", str(path), *map(str, files)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).returncode


def test_schema_accepts_every_spec_document(tmp_path: Path) -> None:
    assert SPEC_DOCS
    assert _check(manifest_schema(), tmp_path, *SPEC_DOCS) == 0


def test_project_schema_accepts_specs_reconciler_yaml(tmp_path: Path) -> None:
    assert _check(project_schema(), tmp_path, SPECS / "reconciler.yaml") == 0


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda p: p.name)
def test_schema_rejects_schema_level_errors(case: Path, tmp_path: Path) -> None:
    assert _check(manifest_schema(), tmp_path, case / "manifest.yaml") == 1


def test_bad_config_is_rejected_by_the_project_schema(tmp_path: Path) -> None:
    bad = HERE / "corpus" / "bad-config" / "reconciler.yaml"
    assert _check(project_schema(), tmp_path, bad) == 1


def test_committed_schema_files_are_current() -> None:
    committed = json.loads((SPECS / "schemas" / "manifest.schema.json").read_text())
    assert committed == manifest_schema()
    committed = json.loads((SPECS / "schemas" / "reconciler.schema.json").read_text())
    assert committed == project_schema()


def test_kind_schema_covers_one_kind_only() -> None:
    schema = manifest_schema("Dataset")
    assert "oneOf" not in schema and schema["$ref"] == "#/$defs/DatasetManifest"
    assert set(manifest_schema()["oneOf"][0]) == {"$ref"}
