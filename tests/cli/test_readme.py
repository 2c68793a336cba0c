"""The README names only flags that exist, on the commands it names them for."""

from __future__ import annotations

import re
from pathlib import Path

from aep_reconciler.commands._parser import COMMANDS, candidates

README = Path(__file__).resolve().parents[2] / "README.md"
FLAG = re.compile(r"(?<![\w-])(--?[a-z][a-z-]*)")
OTHER_TOOLS = (
    "ruff",
    "mypy",
    "python",
    "pip",
    ".venv",
    "git",
    "pytest",
    "curl",
    "terraform",
    "docker",
    "scripts/",
)


def _snippets(text: str) -> list[str]:
    """Inline code spans, and lines of fenced blocks with their indented continuations."""
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    lines: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith(" ") and lines:
                lines[-1] += " " + line.strip()
            else:
                lines.append(line)
    return spans + lines


def _command_words(snippet: str) -> list[str] | None:
    """["emulator", "serve"] for "reconciler emulator serve …"; [] for bare flags; None
    for another tool's command line."""
    words = snippet.replace("\\|", "|").split()
    if words and words[0] in ("reconciler", ".venv/bin/reconciler"):
        words = words[1:]
    elif words and (words[0].startswith(OTHER_TOOLS) or "=" in words[0]):
        return None
    path: list[str] = []
    for word in words:
        if word.startswith(("-", "[")):
            break
        if word in COMMANDS or (path and word in candidates(path)):
            path.append(word)
        else:
            break
    return path


def test_every_flag_the_readme_shows_exists_on_its_command() -> None:
    everywhere = set(candidates([]))
    for name in COMMANDS:
        everywhere |= set(candidates([name]))
        everywhere |= {o for sub in candidates([name]) for o in candidates([name, sub])}
    missing = []
    commands = [
        part.strip()
        for snippet in _snippets(README.read_text(encoding="utf-8"))
        for part in snippet.split(" && ")  # the first command chains install, plan, apply, output
    ]
    for snippet in commands:
        path = _command_words(snippet)
        if path is None:
            continue
        known = set(candidates(path)) if path else everywhere
        flags = [re.sub(r"^-v+$", "-v", f) for f in FLAG.findall(snippet)]  # -vv is -v twice
        missing += [f"{snippet!r}: {flag}" for flag in flags if flag not in known]
    assert missing == []


def _fenced(text: str, after: str) -> str:
    """The first fenced block after the heading or sentence ``after``."""
    found = re.search(r"```[a-z]*\n(.*?)```", text[text.index(after) :], flags=re.S)
    assert found, f"no code block after {after!r}"
    return found[1]


def test_the_readme_test_command_is_what_ci_runs() -> None:
    command = _fenced(README.read_text(encoding="utf-8"), "Test it").strip()
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command == ci
    assert "&& scripts/check && .venv/bin/python -m pytest -n 2 --cov=" in command


def test_scripts_test_runs_the_suite_as_the_test_command_does() -> None:
    command = _fenced(README.read_text(encoding="utf-8"), "Test it").strip()
    pytest = command.split(" && ")[-1]
    script = (README.parent / "scripts" / "test").read_text(encoding="utf-8")
    run = " ".join(script.split("exec ", 1)[1].replace("\\\n", " ").split())
    assert run == f'{pytest} "$@"'


def _tree_entries() -> dict[str, str]:
    """The README's development tree: each top-level entry under reconciler/ → its text."""
    block = _fenced(README.read_text(encoding="utf-8"), "## Development")
    entries: dict[str, str] = {}
    name = ""
    for line in block.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):
            name, _, text = line.strip().partition(" ")
            entries[name] = text
        else:
            entries[name] += " " + line.strip()
    return entries


def test_the_readme_tree_shows_every_module_and_folder_by_name() -> None:
    package = README.parent / "aep_reconciler"
    entries = _tree_entries()
    assert not [n for n in entries if "*" in n or "…" in n or not n.endswith((".py", "/"))]
    real = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    real |= {p.name + "/" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert set(entries) == real
    for folder in (n for n in entries if n.endswith("/") and n != "emulator/"):
        modules = {p.name for p in (package / folder).glob("*.py") if p.name != "__init__.py"}
        named = set(re.findall(r"[\w]+\.py", entries[folder])) - {"__init__.py"}
        assert named == modules, folder
