"""Suite-wide isolation: the process-wide redactor learns every secret a client in a test
uses; a test must not inherit what an earlier one in the same worker taught it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aep_reconciler.redaction import REDACTOR


@pytest.fixture(autouse=True)
def _fresh_redactor() -> Iterator[None]:
    REDACTOR.clear()
    yield
    REDACTOR.clear()
