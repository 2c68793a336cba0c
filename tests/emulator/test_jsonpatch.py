"""RFC 6902 operations on plain JSON, including the RFC's own edge cases."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator.jsonpatch import (
    PatchError,
    PatchTestFailed,
    apply_patch,
    pointer,
    written_roots,
)


def test_pointer_unescapes() -> None:
    assert pointer("/a~1b/c~0d/0") == ["a/b", "c~d", "0"]
    assert pointer("") == []
    with pytest.raises(PatchError):
        pointer("a/b")


@pytest.mark.parametrize(
    ("doc", "ops", "expected"),
    [
        ({"a": 1}, [{"op": "add", "path": "/b", "value": 2}], {"a": 1, "b": 2}),
        ({"a": [1, 3]}, [{"op": "add", "path": "/a/1", "value": 2}], {"a": [1, 2, 3]}),
        ({"a": [1]}, [{"op": "add", "path": "/a/-", "value": 2}], {"a": [1, 2]}),
        ({"a": 1, "b": 2}, [{"op": "remove", "path": "/a"}], {"b": 2}),
        ({"a": [1, 2]}, [{"op": "remove", "path": "/a/0"}], {"a": [2]}),
        ({"a": 1}, [{"op": "replace", "path": "/a", "value": 9}], {"a": 9}),
        ({"a": {"x": 1}}, [{"op": "move", "from": "/a/x", "path": "/b"}], {"a": {}, "b": 1}),
        ({"a": [1]}, [{"op": "copy", "from": "/a", "path": "/b"}], {"a": [1], "b": [1]}),
        ({"a": 1}, [{"op": "test", "path": "/a", "value": 1}], {"a": 1}),
        ({"a": 1}, [{"op": "replace", "path": "", "value": {"z": 0}}], {"z": 0}),
    ],
)
def test_operations(doc: Any, ops: list[Any], expected: Any) -> None:
    before = repr(doc)
    assert apply_patch(doc, ops) == expected
    assert repr(doc) == before  # the input is never mutated


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "remove", "path": "/nope"}],
        [{"op": "replace", "path": "/nope", "value": 1}],
        [{"op": "add", "path": "/a/b/c", "value": 1}],
        [{"op": "add", "path": "/list/5", "value": 1}],
        [{"op": "add", "path": "/list/01", "value": 1}],
        [{"op": "add", "path": "/a"}],
        [{"op": "move", "from": "/list", "path": "/list/0"}],
        [{"op": "copy", "path": "/x"}],
        [{"path": "/a"}],
        [{"op": "remove", "path": ""}],
        {"op": "add"},
    ],
)
def test_invalid_patches(ops: Any) -> None:
    with pytest.raises(PatchError):
        apply_patch({"a": 1, "list": [0]}, ops)


def test_failed_test_is_its_own_error() -> None:
    with pytest.raises(PatchTestFailed):
        apply_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])


def test_written_roots_ignore_reads() -> None:
    ops = [
        {"op": "test", "path": "/version", "value": "1.0.0"},
        {"op": "copy", "from": "/created", "path": "/description"},
        {"op": "move", "from": "/tags/a", "path": "/tags/b"},
        {"op": "remove", "path": "/x~1y/z"},
    ]
    assert written_roots(ops) == {"description", "tags", "x/y"}
