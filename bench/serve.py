"""``python -m bench.serve ARGS``: ``reconciler emulator serve ARGS`` with TCP_NODELAY on.

``emulator serve`` binds its own listening socket without TCP_NODELAY, so every small answer
on a kept-alive connection waits ~40 ms for a delayed ACK (Nagle). Until the one-line fix in
``reconciler/commands/emulator.py:_listen`` lands, the benchmark runs the real command
through this wrapper, which only sets the option on the socket ``_listen`` returns.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

from reconciler import cli
from reconciler.commands import emulator


def _nodelay_listen(original: Any) -> Any:
    def listen(host: str, port: int) -> socket.socket:
        sock: socket.socket = original(host, port)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    return listen


if __name__ == "__main__":
    emulator._listen = _nodelay_listen(emulator._listen)
    raise SystemExit(cli.main(["emulator", "serve", *sys.argv[1:]]))
