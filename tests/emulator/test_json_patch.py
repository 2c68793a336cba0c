"""RFC 6902 operations on plain JSON, the RFC's own edge cases, and the bounds on a patch."""

from __future__ import annotations

from typing import Any

import pytest

from aep_reconciler.emulator.json_patch import (
    MAX_OPERATIONS,
    PatchError,
    PatchTestFailed,
    apply_patch,
    pointer,
    written_roots,
)
from aep_reconciler.wire import MAX_DEPTH


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
        [{"op": "remove", "path": "/list/²"}],  # a digit to str.isdigit, not to RFC 6901
        [{"op": "remove", "path": "/list/١"}],  # ARABIC-INDIC DIGIT ONE is no index 1
        [{"op": "remove", "path": "/list/0\n"}],
        [{"op": "add", "path": "/a~2", "value": 1}],
        [{"op": "add", "path": 5, "value": 1}],
        ["add"],
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


def test_a_patch_has_at_most_so_many_operations() -> None:
    ops = [{"op": "test", "path": "/a", "value": 1}] * MAX_OPERATIONS
    assert apply_patch({"a": 1}, ops) == {"a": 1}
    with pytest.raises(PatchError, match="more than"):
        apply_patch({"a": 1}, [*ops, ops[0]])


def test_copies_that_double_the_document_stop_at_the_size_bound() -> None:
    ops = [{"op": "add", "path": "/a", "value": ["x" * 1000]}] + [
        {"op": "copy", "from": "", "path": f"/k{i}"} for i in range(MAX_OPERATIONS - 1)
    ]
    with pytest.raises(PatchError, match="characters of JSON"):
        apply_patch({}, ops)


def test_moves_and_copies_cannot_nest_without_end() -> None:
    deepest = {"op": "add", "path": "/a", "value": {}}
    nest = [{"op": "copy", "from": "/a", "path": "/a/a"}] * (MAX_DEPTH - 1)
    assert apply_patch({}, [deepest, *nest[: MAX_DEPTH // 2]])  # moderate nesting is fine
    with pytest.raises(PatchError, match="deeper than"):
        apply_patch({}, [deepest, *nest])
