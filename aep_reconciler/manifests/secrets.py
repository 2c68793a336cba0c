"""Find literal secrets (access tokens, JWTs, client secrets) written into manifest files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Path_ = tuple[str | int, ...]

# Shapes only; a match is reported by its path, never by its value.
_SHAPES = (
    ("a JWT or access token", re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")),
    ("a bearer token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}")),
    ("an Adobe client secret", re.compile(r"\bp8e-[A-Za-z0-9_-]{16,}")),
)
SECRET_KEYS = frozenset(
    {"clientSecret", "client_secret", "clientId", "client_id", "accessToken", "access_token"}
)


def looks_like_secret(text: str) -> str | None:
    """What kind of secret ``text`` looks like, or None."""
    for label, shape in _SHAPES:
        if shape.search(text):
            return label
    return None


def find_secrets(value: Any, path: Path_ = ()) -> list[tuple[Path_, str]]:
    """(path, message) for every string value that looks like a credential."""
    found: list[tuple[Path_, str]] = []
    if isinstance(value, str):
        label = looks_like_secret(value)
        if label:
            found.append(
                (
                    path,
                    f"this value looks like {label}; never commit secrets, "
                    "name an environment variable in reconciler.yaml instead (value not shown)",
                )
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(find_secrets(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(find_secrets(item, (*path, index)))
    return found
