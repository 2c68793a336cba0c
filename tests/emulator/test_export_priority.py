"""An export computes at a lower priority than the API that answers while it runs."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from aep_reconciler.emulator.profiles import runner


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
def test_the_export_worker_thread_yields_to_the_api_thread() -> None:
    api = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def worker() -> None:
        for _ in range(2):  # the same worker thread runs export after export
            runner._yield_to_the_api()
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [min(api + runner.EXPORT_NICENESS, 19)] * 2
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == api  # API unchanged
