"""plan and apply run as a user would, against `reconciler emulator serve` on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Platform, run_cli


def test_apply_then_plan_converges(platform: Platform, workdir: Path) -> None:
    first = run_cli(platform, workdir, ["plan", "--detailed-exitcode", "--format", "json"])
    assert first.code == 2, first.err
    actions = {(c["kind"], c["name"]): c["action"] for c in json.loads(first.out)["changes"]}
    assert actions == {
        ("Dataset", "profile-export"): "create",
        ("ExportJob", "all-profiles"): "create",
        ("ExportJob", "lapsed-customers"): "create",
        ("ExportJob", "vip-emails"): "create",
    }
    applied = run_cli(platform, workdir, ["apply", "--auto-approve"])
    assert applied.code == 0, applied.out + applied.err
    assert "4 succeeded, 0 failed" in applied.out
    again = run_cli(platform, workdir, ["plan", "--detailed-exitcode"])
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
