"""One way to run a command's coroutine so that Ctrl-C is always a quiet exit 130.

``asyncio.run`` turns Ctrl-C into a cancel of the main task only once the loop runs; an
interrupt while the loop is being built, or while it is torn down, lands inside asyncio's
own code and ends in "Exception ignored … Traceback" and "coroutine was never awaited".
Here the interrupt is a flag for the whole lifetime of the loop:

- before the command's coroutine starts, it is never created;
- while it runs, the task is cancelled, so ``finally`` blocks (the apply lease) run;
- while the loop closes, the close finishes first;

and afterwards the caller sees one KeyboardInterrupt (``cli`` prints one line, exits 130).
A second Ctrl-C while the first is being honoured ends the process at once, as Terraform
does.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable, Coroutine
from types import FrameType
from typing import Any, TypeVar

from aep_reconciler.exit_codes import ExitCode

T = TypeVar("T")

_AGAIN = b"reconciler: interrupted again; stopping now\n"


def run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``factory()`` on a fresh event loop; Ctrl-C becomes one KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        return asyncio.run(factory())
    state = _Interrupt()
    previous = signal.signal(signal.SIGINT, state.handle)
    try:
        with asyncio.Runner() as runner:
            state.loop = runner.get_loop()
            if state.interrupted:
                raise KeyboardInterrupt
            try:
                return runner.run(state.main(factory))
            except asyncio.CancelledError:
                if state.interrupted:
                    raise KeyboardInterrupt from None
                raise
    finally:
        signal.signal(signal.SIGINT, previous)
        if state.interrupted:
            raise KeyboardInterrupt


class _Interrupt:
    def __init__(self) -> None:
        self.interrupted = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[Any] | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.interrupted:
            os.write(2, _AGAIN)
            os._exit(ExitCode.INTERRUPTED)
        self.interrupted = True
        if self.task is not None and self.loop is not None and not self.task.done():
            self.loop.call_soon_threadsafe(self.task.cancel)

    async def main(self, factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
        if self.interrupted:
            raise asyncio.CancelledError
        self.task = asyncio.current_task()
        return await factory()
