"""``reconciler init``: a repository ready for reconciler, never overwriting a file.

Writes ``specs/reconciler.yaml`` (an explicit embedded target, a real one to fill in),
an example Dataset and ExportJob, the JSON Schemas the manifests' modelines point at,
``.reconciler/`` in ``.gitignore``, VS Code's schema associations and the example GitHub
workflows. Each file that exists is kept and named.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import ConfigError, display_path
from aep_reconciler.exit_codes import ExitCode
from aep_reconciler.manifests.json_schema import published_schemas
from aep_reconciler.manifests.project_model import STACK_PATTERN

IGNORED = ".reconciler/"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "init",
        description="Set up DIR (default: here) for reconciler: specs/ with reconciler.yaml, "
        "an example dataset and export job and the JSON Schemas; .gitignore; editor schema "
        "associations; the example GitHub workflows. Never overwrites a file.",
    )
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR")
    parser.add_argument("--stack", help="the stack id (default: from DIR's name)")
    runs(parser, run, InitArgs)


@dataclass(frozen=True)
class InitArgs:
    dir: Path
    stack: str | None


def _templates() -> Traversable:
    return resources.files("aep_reconciler") / "templates"


def _stack(folder: Path, given: str | None) -> str:
    name = given or re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")[:63]
    if not re.match(STACK_PATTERN, name or ""):
        raise ConfigError(f"{name!r} is no stack id (lowercase letters, digits and -): --stack")
    return name


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, str]]:
    """(relative path, text) of every template file below ``node``."""
    out = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        out += _walk(child, f"{rel}/") if child.is_dir() else [(rel, child.read_text("utf-8"))]
    return out


def files(stack: str) -> dict[str, str]:
    """Every file init writes, relative to DIR, with its text."""
    out = {
        rel: text.replace("stack: STACK", f"stack: {stack}")
        for rel, text in _walk(_templates() / "specs", "specs/")
    }
    for name, schema in published_schemas().items():
        out[f"specs/schemas/{name}"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    for rel, text in _walk(_templates() / "workflows", ".github/workflows/"):
        out[rel] = text
    out[".vscode/settings.json"] = (_templates() / "editor" / "vscode-settings.json").read_text()
    return out


def _ignore(folder: Path) -> str:
    """Add .reconciler/ (the embedded platform and caches) to .gitignore unless it is there."""
    path = folder / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if any(line.strip() in (IGNORED, IGNORED.rstrip("/")) for line in text.splitlines()):
        return f"  kept {display_path(path)} (ignores {IGNORED} already)"
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("\n" if text and not text.endswith("\n") else "") + IGNORED + "\n")
    return f"  {'added' if text else 'created'} {display_path(path)}: {IGNORED}"


def run(args: InitArgs) -> ExitCode:
    folder: Path = args.dir
    stack = _stack(folder, args.stack)
    for rel, text in files(stack).items():
        path = folder / rel
        if path.exists():
            print(f"  kept {display_path(path)} (exists)")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"  created {display_path(path)}")
    print(_ignore(folder))
    print(
        f"Stack {stack} is ready: reconciler plan {display_path(folder / 'specs')} plans it "
        "against the embedded platform. Before using the workflows, replace your-org/reconciler "
        "and the targets in .github/workflows/ with yours."
    )
    return ExitCode.OK
