"""The CLI as a shell sees it: a reader that goes away, an encoding that cannot hold the
output, abbreviations, colour flags, and how fast --version and --help answer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
SECONDS = re.compile(r"\(\d+\.\d\d s\)")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "RECONCILER_"))}
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    return {**env, **extra}


def _cli(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aep_reconciler", *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of specs/ planned against its own embedded platform."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    return tmp_path


def test_a_reader_that_goes_away_ends_the_output_quietly() -> None:
    """``reconciler schema | head -0``: the pipe is closed before the first write."""
    with subprocess.Popen(
        [sys.executable, "-m", "aep_reconciler", "schema"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    assert (code, err) == (0, (GOLDEN / "broken-pipe.txt").read_text())


def test_an_ascii_stdout_gets_escapes_instead_of_a_crash(tree: Path) -> None:
    result = _cli("plan", cwd=tree, PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert SECONDS.sub("(S s)", result.stdout) == (GOLDEN / "ascii-plan.txt").read_text()


def test_a_value_the_yaml_resolver_takes_for_a_number_is_reported_not_a_crash() -> None:
    case = ROOT / "tests" / "manifests" / "corpus" / "plain-scalar-not-a-number"
    result = _cli("validate", ".", cwd=case)
    assert result.returncode == 1
    assert result.stderr == (GOLDEN / "not-a-number.txt").read_text()


def test_options_are_never_abbreviated() -> None:
    result = _cli("apply", "--auto", "--target", "nowhere")
    assert result.returncode == 1
    assert "unrecognized arguments: --auto" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (["plan"], {"FORCE_COLOR": "1"}, True),
        (["plan", "--no-color"], {"FORCE_COLOR": "1"}, False),
        (["--no-color", "plan"], {"FORCE_COLOR": "1"}, False),
        (["plan"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["plan"], {"FORCE_COLOR": "0"}, False),
        (["plan"], {}, False),  # not a terminal
    ],
)
def test_colour_follows_no_color_and_force_color(
    tree: Path, args: list[str], env: dict[str, str], coloured: bool
) -> None:
    result = _cli(*args, cwd=tree, **env)
    assert result.returncode == 0, result.stderr
    assert ("\x1b[" in result.stdout) is coloured


def _loaded_after(*argv: str) -> set[str]:
    code = (
        "import sys\n"
        "from aep_reconciler.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    return set(proc.stderr.split()[-1000:])


@pytest.mark.parametrize(
    "argv",
    [("--version",), ("--help",), ("completion", "bash"), ("completion", "--complete", "--")],
)
def test_version_help_and_completion_import_no_other_command(argv: tuple[str, ...]) -> None:
    loaded = _loaded_after(*argv)
    commands = {m for m in loaded if m.startswith("aep_reconciler.commands.")}
    assert commands <= {"aep_reconciler.commands._parser", "aep_reconciler.commands.completion"}
    assert not {"httpx", "pydantic", "starlette"} & loaded


def test_completing_a_command_imports_that_command_only() -> None:
    loaded = _loaded_after("completion", "--complete", "--", "plan", "--format")
    commands = {m for m in loaded if m.startswith("aep_reconciler.commands.")}
    assert "aep_reconciler.commands.plan" in commands
    assert not {"aep_reconciler.commands.apply", "aep_reconciler.commands.emulator"} & commands
