"""The commands' event-loop runner: Ctrl-C at any moment is one KeyboardInterrupt, after
the command's clean-up ran, and the previous handler is back afterwards."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from aep_reconciler.commands import _async


def test_a_command_returns_its_value_and_the_handler_is_restored() -> None:
    before = signal.getsignal(signal.SIGINT)

    async def command() -> int:
        await asyncio.sleep(0)
        return 7

    assert _async.run(command) == 7
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupt_while_the_command_runs_cancels_it_and_its_cleanup_runs() -> None:
    before = signal.getsignal(signal.SIGINT)
    cleaned: list[str] = []

    async def command() -> int:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            await asyncio.sleep(30)
            return 0
        finally:
            cleaned.append("lease released")

    with pytest.raises(KeyboardInterrupt):
        _async.run(command)
    assert cleaned == ["lease released"]
    assert signal.getsignal(signal.SIGINT) is before


def test_an_interrupt_before_the_command_starts_never_creates_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    created: list[str] = []
    real = asyncio.Runner.get_loop

    def get_loop(self: asyncio.Runner) -> asyncio.AbstractEventLoop:
        loop = real(self)
        os.kill(os.getpid(), signal.SIGINT)  # lands while the loop is being set up
        return loop

    monkeypatch.setattr(asyncio.Runner, "get_loop", get_loop)

    async def command() -> int:
        created.append("ran")
        return 0

    with pytest.raises(KeyboardInterrupt):
        _async.run(command)
    assert created == []


def test_an_error_the_command_raises_reaches_the_caller_unchanged() -> None:
    async def command() -> int:
        raise LookupError("no such dataset")

    with pytest.raises(LookupError, match="no such dataset"):
        _async.run(command)
