"""Safe YAML loading: plain data with 1-based positions; ordinary YAML features still work."""

from __future__ import annotations

from pathlib import Path

from aep_reconciler.manifests.documents import MAX_ALIASES, load_file


def _load(tmp_path: Path, text: str | bytes) -> tuple[list[object], list[str]]:
    path = tmp_path / "m.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    docs, diags = load_file(path, "m.yaml")
    return [d.data for d in docs], [str(d) for d in diags]


def test_positions_are_one_based_for_keys_and_values(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("a: 1\nb:\n  c: [x, y]\n")
    (doc,), diags = load_file(path, "m.yaml")
    assert diags == []
    assert str(doc.at(("b", "c", 1))) == "m.yaml:3:10"
    assert str(doc.at(("b", "c"), key=True)) == "m.yaml:3:3"
    assert str(doc.at(("b", "missing", 0))) == "m.yaml:3:3"  # nearest written ancestor


def test_times_stay_text_and_yaml_scalars_keep_their_types(tmp_path: Path) -> None:
    data, diags = _load(tmp_path, "t: 2024-01-01T00:00:00Z\nn: 3\nf: 1.5\nb: true\nz: null\n")
    assert diags == []
    assert data == [{"t": "2024-01-01T00:00:00Z", "n": 3, "f": 1.5, "b": True, "z": None}]


def test_a_few_aliases_and_a_bom_and_a_trailing_separator_are_fine(tmp_path: Path) -> None:
    text = "\ufeffa: &s [realized]\nb: *s\n---\nc: 1\n---\n"
    data, diags = _load(tmp_path, text.encode("utf-8"))
    assert diags == []
    assert data == [{"a": ["realized"], "b": ["realized"]}, {"c": 1}]


def test_more_aliases_than_the_limit_are_refused(tmp_path: Path) -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * (MAX_ALIASES + 1)) + "]\n"
    data, diags = _load(tmp_path, text)
    assert len(diags) == 1 and "YAML aliases" in diags[0]
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * MAX_ALIASES) + "]\n"
    assert _load(tmp_path, text)[1] == []


def test_complex_keys_are_refused(tmp_path: Path) -> None:
    data, diags = _load(tmp_path, "? [a, b]\n: 1\n")
    assert diags == ["m.yaml:1:3: error: mapping keys must be plain strings"]


def test_scalars_the_resolver_takes_for_numbers_but_are_not_stay_text(tmp_path: Path) -> None:
    data, diags = _load(tmp_path, "a: ._\nb: +_\nc: 1_000\nd: .5\n")
    assert diags == []
    assert data == [{"a": "._", "b": "+_", "c": 1000, "d": 0.5}]


def test_documents_before_a_syntax_error_are_still_checked(tmp_path: Path) -> None:
    data, diags = _load(tmp_path, "a: 1\n---\nb: [\n")
    assert data == [{"a": 1}]
    assert len(diags) == 1 and diags[0].startswith("m.yaml:4:1: error: YAML syntax error")
