"""reconciler.yaml targets and variables, and the ManifestSet that load_manifests returns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aep_reconciler.diagnostics import ConfigError, ManifestError
from aep_reconciler.manifests import documents as manifests
from aep_reconciler.manifests.project import load_project
from aep_reconciler.manifests.tree import load_manifests
from aep_reconciler.resources import DATASET, EXPORT_JOB, ResourceKey

SPECS = Path(__file__).resolve().parents[2] / "specs"


def test_specs_load_with_targets_and_resolved_variables() -> None:
    project = load_project(SPECS)
    assert project.stack == "marketing-exports"
    assert project.default_target == "local"
    prod = project.targets["prod-example"]
    assert prod.protected and prod.platform_url == "https://platform.adobe.io"
    assert prod.client_secret_env == "AEP_CLIENT_SECRET"
    assert prod.ignore_fields == {"Dataset": ("description",)}
    local = project.targets["local"]
    assert local.platform_url is None and local.sandbox == "prod" and not local.protected
    assert local.variables["mergePolicyVersion"] == "1"  # shared default reaches every target

    loaded = load_manifests(SPECS, project, "prod-example")
    vip = next(j for j in loaded.export_jobs if j.key.name == "vip-emails")
    assert vip.body["mergePolicy"] == {"name": "Default timestamp-ordered", "version": 1}
    assert vip.body["filter"]["segments"][0]["segmentName"] == "VIP customers"
    assert set(vip.positions) == {"spec.mergePolicy.name", "spec.filter.segments[0].segmentName"}
    assert vip.dataset == "profile-export"
    assert [d.key for d in loaded.datasets] == [ResourceKey(DATASET, "profile-export")]
    names = [j.key.name for j in loaded.export_jobs]
    assert names == sorted(names)
    assert loaded.source_of(ResourceKey(EXPORT_JOB, "vip-emails")) == vip.source
    assert loaded.source_of(ResourceKey(EXPORT_JOB, "nope")) is None
    assert str(vip.key) == "ExportJob/vip-emails"


def test_target_variables_win_over_shared_ones(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "stack: s\nvariables: {a: shared, b: shared}\ntargets:\n  t: {variables: {b: mine}}\n"
    )
    assert dict(load_project(tmp_path).targets["t"].variables) == {"a": "shared", "b": "mine"}


def test_a_target_acknowledges_foreign_export_jobs_by_id(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "stack: s\ntargets:\n  t:\n    acknowledge:\n      exportJobs: ['41', '7', '41']\n  u: {}\n"
    )
    targets = load_project(tmp_path).targets
    assert targets["t"].acknowledged_jobs == ("41", "7")
    assert targets["u"].acknowledged_jobs == ()


def test_an_acknowledgement_names_ids_only(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text(
        "stack: s\ntargets:\n  t:\n    acknowledge: {exportJobs: ['has space'], jobs: []}\n"
    )
    with pytest.raises(ManifestError) as exc:
        load_project(tmp_path)
    found = sorted(str(d) for d in exc.value.diagnostics)
    assert len(found) == 2, found
    assert any("reconciler.yaml:4:" in d and "acknowledge.exportJobs" in d for d in found), found
    assert any("acknowledge.jobs" in d for d in found), found


def test_without_reconciler_yaml_the_stack_is_the_folder_name(tmp_path: Path) -> None:
    root = tmp_path / "My Exports_2"
    root.mkdir()
    project = load_project(root)
    assert project.stack == "my-exports-2"
    assert project.targets == {} and project.config_file is None


def test_unknown_target_is_a_config_error(tmp_path: Path) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    project = load_project(tmp_path / "specs")
    with pytest.raises(ConfigError, match="unknown target 'staging'"):
        load_manifests(tmp_path / "specs", project, "staging")


def test_a_single_file_can_be_loaded(tmp_path: Path) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    one = tmp_path / "specs" / "datasets" / "profile-export.yaml"
    loaded = load_manifests(one, load_project(one), None)
    assert [d.key.name for d in loaded.datasets] == ["profile-export"]
    assert loaded.export_jobs == ()


def test_errors_raise_one_manifest_error_with_every_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: Dataset\n")
    (tmp_path / "b.yaml").write_text("kind: [\n")
    with pytest.raises(ManifestError) as exc:
        load_manifests(tmp_path, load_project(tmp_path), None)
    files = {d.source.file for d in exc.value.diagnostics if d.source}
    assert len(exc.value.diagnostics) >= 2 and len(files) == 2


def test_oversized_files_are_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifests, "MAX_FILE_BYTES", 100)
    (tmp_path / "big.yaml").write_text("# " + "x" * 200 + "\n")
    with pytest.raises(ManifestError, match="the limit is 100 bytes"):
        load_manifests(tmp_path, load_project(tmp_path), None)


def test_hidden_folders_are_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    hidden = tmp_path / ".github"
    hidden.mkdir()
    (hidden / "ci.yaml").write_text("on: push\n")
    shutil.copy(SPECS / "datasets" / "profile-export.yaml", tmp_path / "ds.yaml")
    loaded = load_manifests(Path("."), load_project(Path(".")), None)
    assert loaded.files == ("ds.yaml",)


def test_reconciler_yaml_is_found_above_a_sub_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    project = load_project(Path("specs/export-jobs"))
    assert project.stack == "marketing-exports"
    assert project.config_file == Path("specs/reconciler.yaml")
    assert project.root == Path("specs")
    # scanning from above sees no config (it is below), and never reads it as a manifest
    with pytest.raises(ManifestError) as exc:
        load_manifests(Path("."), load_project(Path(".")), None)
    files = {d.source.file for d in exc.value.diagnostics if d.source}
    assert files and not any(f.endswith("reconciler.yaml") for f in files)


def test_search_for_reconciler_yaml_stops_at_the_git_root(tmp_path: Path) -> None:
    (tmp_path / "reconciler.yaml").write_text("stack: outer\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs").mkdir()
    assert load_project(repo / "specs").config_file is None
