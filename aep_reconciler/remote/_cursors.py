"""Where the export job list split last time, so the next read can run several cursors at once.

The cache holds only cursors (``{creationTimeMs}_{id}``), per org and sandbox, under
``.reconciler/cache/``. It is a hint: a missing, stale or unreadable cache costs speed, never
correctness (aep_reconciler.live reads adjacent ranges that together cover the whole list, and
falls back to one cursor when the platform does not page that way).
"""

from __future__ import annotations

import json
from pathlib import Path

from aep_reconciler.files import write_atomically
from aep_reconciler.remote._paging import cursor_key

CACHE_FILE = Path(".reconciler") / "cache" / "job-cursors.json"
STREAMS = 4  # job list ranges read at once


def load(key: str, path: Path = CACHE_FILE) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, list) or not all(isinstance(c, str) for c in found):
        return []
    return found


def save(key: str, cursors: list[str], path: Path = CACHE_FILE) -> None:
    """Remember ``cursors`` for ``key``; a cache that cannot be written is simply skipped."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if not isinstance(data, dict):
            data = {}
        # only real cursors: a platform could answer anything as its page offset
        data[key] = [c for c in cursors if cursor_key(c) is not None]
        write_atomically(path, json.dumps(data, sort_keys=True))
    except (OSError, ValueError):
        pass
