"""The embedded platform's settings: credentials, timings, page sizes and faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from aep_reconciler.emulator.clock import Clock, SystemClock
from aep_reconciler.emulator.variants import Variants

DEFAULT_ORG_ID = "embedded@AdobeOrg"
DEFAULT_CLIENT_ID = "reconciler-embedded"
DEFAULT_CLIENT_SECRET = "embedded-secret"  # a fake's well-known secret, like LocalStack's "test"


@dataclass(frozen=True)
class Credential:
    """One OAuth Server-to-Server credential; its tokens belong to ``org_id`` only."""

    org_id: str = DEFAULT_ORG_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that changes how the embedded platform answers (Part B of aep-api.md)."""

    db_path: str = ":memory:"
    credentials: tuple[Credential, ...] = (Credential(),)
    sandboxes: tuple[str, ...] = ()  # besides prod, which always exists
    token_ttl_s: int = 86399
    latency_ms: float = 0
    fail_rate: float = 0.0
    ambiguous_rate: float = 0.0
    rate_limit: float | None = None  # requests per second per org
    job_start_after: float = 2.0
    job_run_for: float = 5.0
    cancel_linger_s: float = 60.0  # how long a cancelled job stays listed (cancel=linger)
    max_page_size: int = 100
    max_body_bytes: int = 4 * 1024 * 1024  # larger request bodies are refused with 413
    clock: Clock = field(default_factory=SystemClock)
    seed: int | None = None
    variants: Variants = field(default_factory=Variants)

    def __post_init__(self) -> None:
        for name in ("fail_rate", "ambiguous_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise ValueError(f"rate_limit must be positive, got {self.rate_limit}")
        if self.max_page_size < 1:
            raise ValueError(f"max_page_size must be at least 1, got {self.max_page_size}")
        durations = (self.job_start_after, self.job_run_for, self.cancel_linger_s, self.latency_ms)
        if min(durations) < 0:
            raise ValueError("durations must not be negative")
        if not self.credentials:
            raise ValueError("at least one credential is needed")
        # A tenant is keyed "{org}/{sandbox}": a "/" in either would let two tenants share a key.
        for name in (*(c.org_id for c in self.credentials), *self.sandboxes):
            if "/" in name or not name.strip():
                raise ValueError(
                    f"org ids and sandbox names hold no '/' and are not blank: {name!r}"
                )

    def credential(self, client_id: str) -> Credential | None:
        for cred in self.credentials:
            if cred.client_id == client_id:
                return cred
        return None
