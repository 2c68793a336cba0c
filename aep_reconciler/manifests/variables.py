"""``${var.NAME}`` interpolation in manifest values, with the problems it finds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Path_ = tuple[str | int, ...]
Problem = tuple[Path_, str]  # (field path inside the value, message)

VAR_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
ENV_PREFIX = "RECONCILER_VAR_"  # RECONCILER_VAR_team=growth sets ${var.team}
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_REFERENCE = re.compile(rf"^var\.({VAR_NAME})$")
# How much variable text one value may take in: a small file that uses a large variable
# many times must not expand to gigabytes.
MAX_EXPANDED = 64 * 1024


def _substitute(text: str, variables: Mapping[str, str], problems: list[str]) -> str:
    grown = 0

    def one(match: re.Match[str]) -> str:
        nonlocal grown
        if grown > MAX_EXPANDED:
            return ""  # already reported; stop building the value
        if match.group(0) == "$${":
            return "${"  # an escaped, literal "${"
        inner = match.group(1).strip()
        ref = _REFERENCE.match(inner)
        if ref is None:
            problems.append(f"cannot interpolate '${{{inner}}}'; write ${{var.NAME}}")
            return match.group(0)
        name = ref.group(1)
        if name not in variables:
            known = ", ".join(sorted(variables)) or "none"
            problems.append(f"undefined variable '{name}' (defined: {known})")
            return match.group(0)
        grown += len(variables[name])
        if grown > MAX_EXPANDED:
            problems.append(f"expands to more than {MAX_EXPANDED} characters")
            return ""
        return variables[name]

    return _TOKEN.sub(one, text)


def resolve(
    value: Any, variables: Mapping[str, str], path: Path_ = ()
) -> tuple[Any, list[Problem]]:
    """``value`` with every ``${var.NAME}`` replaced, and each reference that failed."""
    problems: list[Problem] = []
    if isinstance(value, str):
        found: list[str] = []
        out = _substitute(value, variables, found)
        return out, [(path, msg) for msg in found]
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            result[key], sub = resolve(item, variables, (*path, key))
            problems.extend(sub)
        return result, problems
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            resolved, sub = resolve(item, variables, (*path, index))
            items.append(resolved)
            problems.extend(sub)
        return items, problems
    return value, problems


def from_environment(env: Mapping[str, str]) -> dict[str, str]:
    """Variables set as ``RECONCILER_VAR_<NAME>`` (names with a ``-`` cannot come this way)."""
    return {
        name[len(ENV_PREFIX) :]: value
        for name, value in env.items()
        if name.startswith(ENV_PREFIX) and re.fullmatch(VAR_NAME, name[len(ENV_PREFIX) :])
    }


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` (as ``--var`` takes it) → (NAME, VALUE); ValueError when malformed."""
    name, sep, value = text.partition("=")
    if not sep or not re.fullmatch(VAR_NAME, name):
        raise ValueError(f"{text!r} is not NAME=VALUE (NAME: letters, digits, _ and -)")
    return name, value


def reference_in(value: Any) -> str | None:
    """The first ``${...}`` a value (or anything nested in it) interpolates, else None."""
    if isinstance(value, str):
        found = next((m for m in _TOKEN.finditer(value) if m.group(0) != "$${"), None)
        return found.group(0) if found else None
    if isinstance(value, Mapping):
        value = list(value.values())
    items = value if isinstance(value, list) else []
    return next((r for item in items if (r := reference_in(item)) is not None), None)
