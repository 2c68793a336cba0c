"""``python -m bench``: run the benchmark."""

from __future__ import annotations

from bench.run import main

raise SystemExit(main())
