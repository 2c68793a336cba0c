"""The embedded target configures the sandbox it names; other sandboxes stay refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aep_reconciler.cli import main
from aep_reconciler.diagnostics import ApiError
from aep_reconciler.remote import AepClient
from aep_reconciler.remote.embedded import embedded_connection, embedded_transport

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_transport_has_the_sandbox_it_is_made_for(tmp_path: Path) -> None:
    db = tmp_path / "platform.db"
    async with AepClient(embedded_connection("dev"), transport=embedded_transport(db, "dev")) as c:
        assert await c.list_datasets() == {}
    other = AepClient(embedded_connection("qa"), transport=embedded_transport(db, "dev"))
    async with other as c:
        with pytest.raises(ApiError) as refused:
            await c.list_datasets()
    assert refused.value.status == 403
    assert refused.value.body["error_code"].startswith("403")


def test_plan_against_an_embedded_sandbox_other_than_prod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    for name in ("AEP_PLATFORM_URL", "AEP_SANDBOX_NAME"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "specs" / "reconciler.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  local:\n", "  local:\n    sandbox: qa\n"),
        encoding="utf-8",
    )
    assert main(["plan", "specs"]) == 0
    out = capsys.readouterr().out
    assert "Plan: 4 to create" in out
