"""The import direction of style.md holds: lower layers never import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "reconciler"

# module (relative to the package, dotted) -> reconciler modules it must not import
# Third-party libraries each confined to one module (or one folder).
CONFINED = {
    "ruamel": ("manifests",),
    "httpx": ("remote", "embedded"),
    "deepdiff": ("diffing",),
    "sqlite3": ("emulator.",),
    "starlette": ("emulator.",),
    "uvicorn": ("emulator.", "commands.emulator"),
}


def _modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        imports: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imports.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imports.add(node.module)
        found[name] = imports
    return found


def test_base_layers_import_nothing_of_ours() -> None:
    mods = _modules()
    for name in ("diagnostics", "wire"):
        ours = [i for i in mods[name] if i.startswith("reconciler")]
        assert ours == [], f"{name} imports {ours}"


def test_core_never_imports_the_emulator() -> None:
    for name, imports in _modules().items():
        if name.startswith("emulator") or name in ("embedded", "commands.emulator"):
            continue
        bad = [i for i in imports if i.startswith("reconciler.emulator")]
        assert bad == [], f"{name} imports {bad}"


def test_emulator_imports_only_wire_and_itself() -> None:
    for name, imports in _modules().items():
        if not name.startswith("emulator"):
            continue
        ours = {i for i in imports if i.startswith("reconciler")}
        bad = {i for i in ours if not i.startswith(("reconciler.emulator", "reconciler.wire"))}
        assert bad == set(), f"{name} imports {bad}"


def test_third_party_libraries_stay_in_their_module() -> None:
    for name, imports in _modules().items():
        for lib, homes in CONFINED.items():
            uses = any(i == lib or i.startswith(lib + ".") for i in imports)
            if uses:
                assert any(name == h or name.startswith(h) for h in homes if h.endswith(".")) or (
                    name in homes
                ), f"{name} imports {lib}; only {homes} may"


def test_commands_never_import_each_other() -> None:
    for name, imports in _modules().items():
        if not name.startswith("commands."):
            continue
        bad = [i for i in imports if i.startswith("reconciler.commands.")]
        assert bad == [], f"{name} imports {bad}"
