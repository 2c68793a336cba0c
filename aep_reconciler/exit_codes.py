"""The exit codes of every command, in one enum: what CI reads from reconciler.

Usage errors exit 1 (``ERROR``), never 2: a typo in CI must never read as "changes pending".
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0  # success; with --detailed-exitcode (and always for drift): no changes, in sync
    ERROR = 1  # a user-causable error: manifests, flags, API failures, a refused plan
    CHANGES = 2  # changes pending (plan --detailed-exitcode) or drift found (drift)
    BUG = 3  # a bug in reconciler (a short "please report" line is printed)
    INTERRUPTED = 130  # Ctrl-C
