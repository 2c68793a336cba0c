"""Golden files: a rendering is compared with the file that holds it; UPDATE_GOLDENS=1 rewrites."""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"  # regenerate after a deliberate change


def check_golden(folder: Path, name: str, text: str) -> None:
    path = folder / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (UPDATE_GOLDENS=1 rewrites)"
