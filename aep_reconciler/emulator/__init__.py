"""The embedded AEP platform: an ASGI app that answers IMS, Catalog and UPS export-job calls."""

from __future__ import annotations

from aep_reconciler.emulator.app import create_app
from aep_reconciler.emulator.clock import Clock, ManualClock, SystemClock
from aep_reconciler.emulator.config import Credential, EmulatorConfig
from aep_reconciler.emulator.faults import ConnectionDropped
from aep_reconciler.emulator.platform import Platform
from aep_reconciler.emulator.variants import ADOBE_DEFAULTS, COMPATIBLE, Variants

__all__ = [
    "ADOBE_DEFAULTS",
    "COMPATIBLE",
    "Clock",
    "ConnectionDropped",
    "Credential",
    "EmulatorConfig",
    "ManualClock",
    "Platform",
    "SystemClock",
    "Variants",
    "create_app",
]
