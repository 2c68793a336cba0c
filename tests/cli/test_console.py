"""console: a closed pipe, log levels from -v and RECONCILER_LOG, and what -v shows."""

from __future__ import annotations

import io
import logging
import os

import pytest

from aep_reconciler.console import QuietPipe, attached, log_level
from aep_reconciler.remote import AepClient, RetryPolicy
from tests.remote.conftest import make_emulator
from tests.remote.fakes import run, using


class _Closing(io.StringIO):
    """A stream whose reader is gone after ``room`` characters."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_quiet_pipe_drops_everything_after_the_reader_left() -> None:
    inner = _Closing(room=5)
    pipe = QuietPipe(inner)
    assert pipe.write("abc") == 3 and not pipe.broken
    assert pipe.write("defgh") == 5 and pipe.broken
    assert pipe.write("more") == 4
    pipe.flush()
    assert inner.getvalue() == "abc" and not pipe.isatty()


@pytest.mark.parametrize(
    ("verbosity", "env", "level"),
    [
        (0, {}, logging.WARNING),
        (1, {}, logging.INFO),
        (2, {}, logging.DEBUG),
        (0, {"RECONCILER_LOG": "info"}, logging.INFO),
        (0, {"RECONCILER_LOG": " DEBUG "}, logging.DEBUG),
        (2, {"RECONCILER_LOG": "warning"}, logging.DEBUG),  # the more talkative wins
        (0, {"RECONCILER_LOG": "loud"}, logging.WARNING),
    ],
)
def test_log_level_from_flag_and_environment(
    verbosity: int, env: dict[str, str], level: int
) -> None:
    assert log_level(verbosity, env) == level


def test_no_color_lasts_as_long_as_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    with attached(no_color=True):
        assert os.environ["NO_COLOR"] == "1"
    assert "NO_COLOR" not in os.environ


def test_verbose_logging_shows_rate_limit_waits(capsys: pytest.CaptureFixture[str]) -> None:
    emu = make_emulator(rate_limit=2)
    try:
        client = emu.client(retry=RetryPolicy(max_attempts=10, deadline=60))

        async def scenario(c: AepClient) -> None:
            for _ in range(3):
                await c.list_datasets()

        with attached(verbosity=1):
            run(using(client, scenario))
        err = capsys.readouterr().err
    finally:
        emu.app.state.platform.close()
        logging.getLogger("aep_reconciler").setLevel(logging.WARNING)
    assert "reconciler: rate limited on GET /dataSets: waiting 1.00 s as the platform asked" in err
