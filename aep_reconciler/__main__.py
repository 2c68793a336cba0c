"""``python -m aep_reconciler`` and the ``reconciler`` command: Ctrl-C is exit 130 from the start.

Until the CLI's own handler runs (cli.main catches KeyboardInterrupt), an interrupt while
Python imports the commands would end in a traceback; this entry point turns it into the
same quiet exit 130 at once. Only the program does this, never an importer of reconciler.
"""

import os
import signal
import sys
from types import FrameType

from aep_reconciler.exit_codes import ExitCode


def _interrupted(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"reconciler: interrupted\n")
    os._exit(ExitCode.INTERRUPTED)  # nothing has started yet that would need cleaning up


def run() -> None:
    signal.signal(signal.SIGINT, _interrupted)
    from aep_reconciler.cli import main

    sys.exit(main())


if __name__ == "__main__":
    run()
