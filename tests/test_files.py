"""files.write_atomically: the file is the old text or the new, never half, never a leftover."""

from __future__ import annotations

from pathlib import Path

import pytest

from aep_reconciler.files import write_atomically


def test_writes_creating_folders_and_replaces_whole(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "saved.json"
    write_atomically(path, "first\n")
    write_atomically(path, "second ✓\n")
    assert path.read_text(encoding="utf-8") == "second ✓\n"
    assert [p.name for p in path.parent.iterdir()] == ["saved.json"]


def test_a_failed_write_keeps_the_old_text_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "saved.json"
    write_atomically(path, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "half \udc80 written")  # a lone surrogate cannot be encoded
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["saved.json"]
