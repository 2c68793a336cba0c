"""Whatever is in the manifest tree, validate reports diagnostics (exit 0 or 1), never a crash."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aep_reconciler.cli import main
from tests.fuzz.yaml_docs import HOSTILE, LAUGHS, documents, files

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STACK = b"stack: fuzz\n"
NAMES = st.sampled_from(["a.yaml", "b.yml", "nested/c.yaml", "reconciler.yaml"])


def validate(files: dict[str, bytes], *extra: str) -> tuple[int, str, str]:
    """``reconciler validate`` in process on a tree of ``files``: (exit code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "specs"
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        root.mkdir(exist_ok=True)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(root), *extra])
    return code, out.getvalue(), err.getvalue()


def assert_diagnostics_only(code: int, out: str, err: str) -> None:
    assert code in (0, 1), err[-3000:]
    assert "Traceback" not in err and "internal error" not in err
    if code == 1:
        assert err.strip() or '"valid": false' in out  # says why


@FUZZ
@given(st.dictionaries(NAMES, files, min_size=1, max_size=3))
def test_any_tree_gives_diagnostics_only(tree: dict[str, bytes]) -> None:
    tree.setdefault("reconciler.yaml", STACK)
    assert_diagnostics_only(*validate(tree))


@FUZZ
@given(documents, st.sampled_from(["text", "json"]))
def test_any_document_gives_diagnostics_only(document: str, fmt: str) -> None:
    code, out, err = validate(
        {"reconciler.yaml": STACK, "m.yaml": document.encode()}, "--format", fmt
    )
    assert_diagnostics_only(code, out, err)


def test_hostile_yaml_is_refused_with_a_position() -> None:
    for document in ("x: !!python/object/apply:os.system ['true']", "a: &a [*a]", LAUGHS):
        code, _, err = validate({"reconciler.yaml": STACK, "m.yaml": document.encode()})
        assert code == 1 and "m.yaml:" in err, (document, err)


def test_validate_as_a_process_never_crashes(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "reconciler.yaml").write_bytes(STACK)
    (specs / "hostile.yaml").write_text("\n---\n".join(h for h in HOSTILE if "\x00" not in h))
    (specs / "laughs.yaml").write_text(LAUGHS)
    (specs / "garbage.yaml").write_bytes(bytes(range(256)) * 4)
    (specs / "huge.yaml").write_text("key: " + "v" * 1_100_000)
    for args in (["validate", "specs"], ["validate", "specs", "--format", "json"], ["plan"]):
        proc = subprocess.run(
            [sys.executable, "-m", "aep_reconciler", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 1, proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr and (proc.stderr + proc.stdout).strip()
