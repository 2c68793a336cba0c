"""Where the platform keeps files: the profile store per sandbox and each dataset's batches.

Everything lives in one folder next to the SQLite file (``platform.db`` → ``platform-data/``);
an in-memory platform gets a temporary folder that is removed when it closes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def tenant_slug(tenant: str) -> str:
    """A folder name for ``org/sandbox``: readable, and unique through a short digest."""
    digest = hashlib.sha256(tenant.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', tenant)[:60]}-{digest}"


class Storage:
    """The platform's file area; ``close`` removes it only when it was temporary."""

    def __init__(self, db_path: str) -> None:
        if db_path == ":memory:":
            self.root = Path(tempfile.mkdtemp(prefix="aep-platform-"))
            self.temporary = True
        else:
            db = Path(db_path).expanduser()
            self.root = db.parent / f"{db.stem}-data"
            self.temporary = False
        self.root.mkdir(parents=True, exist_ok=True)

    def profiles(self, tenant: str) -> Path:
        """The folder of one sandbox's profile store (Parquet files)."""
        return self.root / "profiles" / tenant_slug(tenant)

    def batch(self, tenant: str, dataset_id: str, batch_id: str) -> Path:
        """The folder of one batch's files inside its dataset."""
        return self.root / "datasets" / tenant_slug(tenant) / dataset_id / batch_id

    def staging(self) -> Path:
        """A fresh folder on the same file system, so a finished batch moves in by rename."""
        area = self.root / "staging"
        area.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=area))

    def close(self) -> None:
        if self.temporary:
            shutil.rmtree(self.root, ignore_errors=True)
