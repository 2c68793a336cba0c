"""The import direction of layout.md holds: no module imports a higher layer.

Every import counts, those under ``TYPE_CHECKING`` and inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "aep_reconciler"

# Lowest first; a module may import its own layer and lower ones. A name ending in "."
# is a folder (every module in it).
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "__init__",
        "diagnostics",
        "wire",
        "durations",
        "endpoints",
        "redaction",
        "schedule",
        "files",
        "field_paths",
        "exit_codes",
    ),
    (
        "resources",
        "plan",
        "plan_schema",
        "fingerprint",
        "ownership",
        "inventory",
        "ports",
        "backoff",
        "results",
        "events",
    ),
    ("manifests.", "remote.", "live", "render.", "references"),
    ("planner.", "applier.", "planfile"),
    ("target", "pipeline", "outputs"),
    ("commands.",),
    ("cli", "console", "__main__"),
)

# Third-party libraries each confined to one home.
CONFINED = {
    "ruamel": ("manifests.",),
    "httpx": ("remote.",),
    "deepdiff": ("planner.diffing",),
    "sqlite3": ("emulator.",),
    "duckdb": ("emulator.",),
    "starlette": ("emulator.",),
    "jsonpatch": ("emulator.json_patch",),
    "cronsim": ("schedule",),
    "jsonpointer": ("emulator.json_patch",),
    "uvicorn": ("emulator.", "commands.emulator"),
}


def _matches(name: str, pattern: str) -> bool:
    if pattern.endswith("."):
        return name == pattern[:-1] or name.startswith(pattern)
    return name == pattern


def _layer(name: str) -> int:
    for index, patterns in enumerate(LAYERS):
        if any(_matches(name, p) for p in patterns):
            return index
    raise AssertionError(f"reconciler.{name} is in no layer of tests/test_layers.py")


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    name = ".".join(rel.parts)
    return name.removesuffix(".__init__") if name != "__init__" else name


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from aep_reconciler.remote import embedded`` imports a module too
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in PKG.rglob("*.py")}


def _ours(imports: set[str]) -> set[str]:
    names = {i.removeprefix("reconciler.") for i in imports if i.startswith("reconciler.")}
    modules = {_module_name(p) for p in PKG.rglob("*.py")}
    return {n for n in names if n in modules}


def test_every_module_sits_in_a_layer_and_imports_no_higher_one() -> None:
    for name, imports in _modules().items():
        if name.startswith("emulator"):
            continue
        mine = _layer(name)
        for dep in _ours(imports):
            if dep.startswith("emulator"):
                continue
            assert _layer(dep) <= mine, f"reconciler.{name} (layer {mine}) imports {dep}"


def test_only_the_embedded_transport_and_the_emulator_command_import_the_emulator() -> None:
    for name, imports in _modules().items():
        if name.startswith("emulator") or name in ("remote.embedded", "commands.emulator"):
            continue
        bad = [i for i in imports if i.startswith("aep_reconciler.emulator")]
        assert bad == [], f"{name} imports {bad}"


def test_the_embedded_transport_is_imported_lazily() -> None:
    """A plan against Adobe must never load Starlette or SQLite: no module-level import."""
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
                assert "aep_reconciler.remote.embedded" not in names or _module_name(path) in (
                    "commands.emulator",
                ), f"{path.name} imports the embedded transport at module level"


def test_emulator_imports_only_wire_and_itself() -> None:
    for name, imports in _modules().items():
        if not name.startswith("emulator"):
            continue
        ours = {i for i in imports if i.startswith("aep_reconciler")}
        bad = {
            i for i in ours if not i.startswith(("aep_reconciler.emulator", "aep_reconciler.wire"))
        }
        assert bad == set(), f"{name} imports {bad}"


def test_third_party_libraries_stay_in_their_home() -> None:
    for name, imports in _modules().items():
        for lib, homes in CONFINED.items():
            if any(i == lib or i.startswith(lib + ".") for i in imports):
                assert any(_matches(name, h) for h in homes), f"{name} imports {lib}; only {homes}"


def test_commands_never_import_each_other() -> None:
    """Only the parser imports commands: the one being run, by statement."""
    for name, imports in _modules().items():
        if not name.startswith("commands.") or name == "commands._parser":
            continue
        bad = [
            i
            for i in imports
            if i.startswith("aep_reconciler.commands.")
            and not i.startswith("aep_reconciler.commands._")
        ]
        assert bad == [], f"{name} imports {bad}"


def test_no_import_hides_under_type_checking() -> None:
    """An import under TYPE_CHECKING can hide a cycle; the package needs none."""
    for path in PKG.rglob("*.py"):
        assert "TYPE_CHECKING" not in path.read_text(encoding="utf-8"), path


def test_commands_are_imported_by_statement_not_by_name() -> None:
    """A command imported by a module name in a string hides it from mypy and from the
    checks above; importlib.resources (init's templates) reads files and imports no code."""
    for path in (PKG / "commands").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names = [node.func.id]
            else:
                continue
            bad = [
                n
                for n in names
                if n == "__import__"
                or (n.startswith("importlib") and not n.startswith("importlib.resources"))
            ]
            assert bad == [], f"{path.name}:{node.lineno} uses {bad}"
