"""Variables and saved plans, the two inputs besides manifests that a user (or a pull
request) hands the CLI: whatever they hold, the answer is exit 0 or 1 with a message,
never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aep_reconciler import planfile
from aep_reconciler.cli import main
from aep_reconciler.diagnostics import PlanError
from tests.fuzz.answers import anything

SPECS = Path(__file__).resolve().parents[2] / "specs"
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DATASET = """apiVersion: reconciler/v1
kind: Dataset
metadata:
  name: fuzzed
spec:
  name: Fuzzed
  description: {description}
  schemaRef:
    id: https://ns.adobe.com/xdm/context/profile__union
    contentType: application/vnd.adobe.xed+json;version=1
"""


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue()


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 1), err[-3000:]
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    if code == 1:
        assert err.strip()


names = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True), st.text())
values = st.one_of(
    st.text(),
    st.just("${var.self}"),
    st.builds(lambda n: "x" * n, st.integers(0, 70_000)),
    st.builds(lambda s: "${" + s + "}", st.text(max_size=20)),
    st.integers(),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
)
references = st.lists(
    st.one_of(
        st.builds(lambda n: "${var." + n + "}", names),
        st.text(max_size=10),
        st.just("$${var.escaped}"),
    ),
    min_size=1,
    max_size=30,
).map("".join)


@FUZZ
@given(st.dictionaries(names, values, max_size=4), references)
def test_any_variables_and_references_give_diagnostics_only(
    variables: dict[str, Any], reference: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "specs"
        root.mkdir()
        config = {"stack": "fuzz", "variables": variables}
        (root / "reconciler.yaml").write_text(json.dumps(config))  # JSON is YAML
        (root / "d.yaml").write_text(DATASET.format(description=json.dumps(reference)))
        assert_clean(*run("validate", str(root)))


@pytest.fixture(scope="module")
def saved_plan() -> Any:
    """A real saved plan of specs/ against the embedded platform: (its text, the folder)."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as env:
        for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL", planfile.KEY_ENV, "CI"):
            env.delenv(name, raising=False)
        env.chdir(tmp)
        shutil.copytree(SPECS, Path(tmp) / "specs")
        code, err = run("plan", "specs", "--out", "plan.json")
        assert code == 0, err
        yield (Path(tmp) / "plan.json").read_text(), Path(tmp)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return document


@FUZZ
@given(st.data())
def test_a_resealed_but_malformed_saved_plan_is_a_plan_error(saved_plan: Any, data: Any) -> None:
    """Even with the right seal (someone who holds the key, or a bug of ours), a plan file
    whose content is wrong anywhere is refused as PlanError, never a crash."""
    text, folder = saved_plan
    document = json.loads(text)
    payload = {k: v for k, v in document.items() if k not in planfile._UNSEALED}
    path = data.draw(st.sampled_from(_paths(payload)[1:]))
    payload = _replace(payload, path, data.draw(anything))
    resealed = {**document, **payload, "checksum": planfile._seal(payload, None)}
    target = folder / "resealed.json"
    target.write_text(json.dumps(resealed))
    with contextlib.suppress(PlanError):
        planfile.read(target, None)


@FUZZ
@given(st.data())
def test_a_damaged_saved_plan_is_refused_by_apply(saved_plan: Any, data: Any) -> None:
    text, folder = saved_plan
    raw = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at:]
            if not raw:
                break
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    with contextlib.suppress(ValueError):
        if json.loads(bytes(raw)) == json.loads(text):
            return  # only the layout changed (a space became a tab): still the same plan
    target = folder / "damaged.json"
    target.write_bytes(bytes(raw))
    with pytest.MonkeyPatch.context() as env:
        env.chdir(folder)
        code, err = run("apply", "--plan", str(target), "--auto-approve")
    assert code == 1, err
    assert_clean(code, err)
