"""``reconciler emulator serve|seed``: run the embedded AEP platform, or fill its database."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import uvicorn

from aep_reconciler.commands._parser import Subparsers, runs
from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.emulator import (
    ConnectionDropped,
    Credential,
    EmulatorConfig,
    Variants,
    create_app,
)
from aep_reconciler.emulator.clock import Clock, ManualClock, SystemClock
from aep_reconciler.emulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID
from aep_reconciler.emulator.profiles.store import StoreSize, seed_profiles
from aep_reconciler.emulator.seed import seed_database
from aep_reconciler.exit_codes import ExitCode

DEFAULT_DB = ".reconciler/platform.db"
SECRET_ENV = "RECONCILER_EMULATOR_CLIENT_SECRET"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "emulator",
        description="The embedded AEP platform: the default target of reconciler and the fake "
        "behind its tests.",
    )
    actions = parser.add_subparsers(dest="emulator_action", metavar="ACTION", required=True)
    _add_serve(actions)
    _add_seed(actions)


def _add_serve(actions: Subparsers) -> None:
    serve = actions.add_parser(
        "serve",
        help="serve the platform over HTTP until interrupted",
        description="Serve IMS (/ims/token/v3), Catalog and UPS export jobs on one port. "
        f"The client secret may also come from ${SECRET_ENV}.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    serve.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    serve.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    serve.add_argument("--org-id", default=DEFAULT_ORG_ID)
    serve.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    serve.add_argument("--client-secret", default=None, help=f"default ${SECRET_ENV} or built-in")
    serve.add_argument(
        "--sandbox",
        action="append",
        default=[],
        metavar="NAME",
        help="a sandbox besides prod (repeatable); calls naming an unknown sandbox get 403",
    )
    serve.add_argument("--token-ttl", type=int, default=86399, metavar="SECONDS")
    serve.add_argument("--latency-ms", type=float, default=0.0)
    serve.add_argument("--fail-rate", type=float, default=0.0, help="share of 500/502/503")
    serve.add_argument("--ambiguous-rate", type=float, default=0.0, help="share of lost creates")
    serve.add_argument("--rate-limit", type=float, default=None, metavar="N_PER_S")
    serve.add_argument("--job-start-after", type=float, default=2.0, metavar="SECONDS")
    serve.add_argument("--job-run-for", type=float, default=5.0, metavar="SECONDS")
    serve.add_argument(
        "--cancel-linger",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long a cancelled job stays listed with --variant cancel=linger (default 60)",
    )
    serve.add_argument("--max-page-size", type=int, default=100)
    serve.add_argument("--seed", type=int, default=None, help="seed of the fault RNG")
    serve.add_argument(
        "--manual-clock",
        action="store_true",
        help="time stands still except through POST /_emulator/clock {advanceSeconds}",
    )
    choices = "; ".join(f"{k}={'|'.join(v)}" for k, v in Variants.choices().items())
    serve.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"where Adobe is silent, behave this way (repeatable): {choices}",
    )
    runs(serve, run_serve, ServeArgs)


@dataclass(frozen=True)
class ServeArgs:
    host: str
    port: int
    allow_remote: bool
    db: str
    org_id: str
    client_id: str
    client_secret: str | None
    sandbox: Sequence[str]
    token_ttl: int
    latency_ms: float
    fail_rate: float
    ambiguous_rate: float
    rate_limit: float | None
    job_start_after: float
    job_run_for: float
    cancel_linger: float
    max_page_size: int
    seed: int | None
    manual_clock: bool
    variant: Sequence[str]


def _add_seed(actions: Subparsers) -> None:
    seed = actions.add_parser(
        "seed",
        help="bulk-write datasets, export jobs or a profile store into a platform database",
        description="Write N datasets and M export jobs (every status, spread over time) into "
        "the SQLite database of `emulator serve`, in one transaction; with --profiles, replace "
        "the sandbox's profile store (profiles, events, audiences) with a deterministic one.",
    )
    seed.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    seed.add_argument("--datasets", type=int, default=0, metavar="N")
    seed.add_argument("--jobs", type=int, default=0, metavar="M")
    seed.add_argument("--profiles", type=int, default=None, metavar="N")
    seed.add_argument("--events-per-profile", type=int, default=5, metavar="K")
    seed.add_argument("--audiences", type=int, default=8, metavar="A")
    seed.add_argument("--seed", type=int, default=0, metavar="S", help="same S, same store")
    seed.add_argument("--org-id", default=DEFAULT_ORG_ID)
    seed.add_argument("--sandbox", default="prod")
    runs(seed, run_seed, SeedArgs)


@dataclass(frozen=True)
class SeedArgs:
    db: str
    datasets: int
    jobs: int
    profiles: int | None
    events_per_profile: int
    audiences: int
    seed: int
    org_id: str
    sandbox: str


def _check_host(host: str, allow_remote: bool) -> None:
    if allow_remote or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"refusing to serve on {host}: the embedded platform accepts well-known credentials; "
            "use a loopback address or pass --allow-remote"
        )


def config_from_args(args: ServeArgs) -> EmulatorConfig:
    secret = args.client_secret or os.environ.get(SECRET_ENV) or DEFAULT_CLIENT_SECRET
    clock: Clock = ManualClock(SystemClock().now_ms()) if args.manual_clock else SystemClock()
    try:
        variants = Variants.parse(args.variant)
        return EmulatorConfig(
            db_path=args.db,
            credentials=(Credential(args.org_id, args.client_id, secret),),
            sandboxes=tuple(args.sandbox),
            token_ttl_s=args.token_ttl,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            ambiguous_rate=args.ambiguous_rate,
            rate_limit=args.rate_limit,
            job_start_after=args.job_start_after,
            job_run_for=args.job_run_for,
            cancel_linger_s=args.cancel_linger,
            max_page_size=args.max_page_size,
            clock=clock,
            seed=args.seed,
            variants=variants,
        )
    except ValueError as exc:
        raise ConfigError(f"emulator serve: {exc}") from None


class _HideDroppedConnections(logging.Filter):
    """A deliberately dropped connection (ambiguous_rate) is not a server error to report."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit it: without it every small answer on a kept-alive connection
    # waits ~40 ms for the client's delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


class _Server(uvicorn.Server):
    """SIGINT/SIGTERM are how a user stops ``serve``: shut down gracefully and exit 0.

    uvicorn re-raises the captured signal after its graceful shutdown, which would turn a
    normal stop into exit 130 or a kill; dropping the record keeps the stop clean.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


async def _serve(server: uvicorn.Server, sock: socket.socket, banner: str) -> None:
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        print(banner, flush=True)
    await task


def run_serve(args: ServeArgs) -> ExitCode:
    _check_host(args.host, args.allow_remote)
    config = config_from_args(args)
    try:
        app = create_app(config)
    except OSError as exc:  # sqlite3 errors and unwritable directories
        raise ConfigError(f"cannot open the platform database {args.db}: {exc}") from None
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    banner = (
        f"embedded AEP platform on http://{shown}:{port} "
        f"(org {args.org_id}, client id {args.client_id})"
    )
    logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())
    server = _Server(
        uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="off", date_header=False
        )
    )
    try:
        asyncio.run(_serve(server, sock, banner))
    finally:
        sock.close()
        app.state.platform.close()
    return ExitCode.OK


def _seed(args: SeedArgs) -> list[str]:
    lines = []
    if args.datasets or args.jobs or args.profiles is None:
        summary = seed_database(
            args.db,
            datasets=args.datasets,
            jobs=args.jobs,
            org_id=args.org_id,
            sandbox=args.sandbox,
        )
        lines.append(str(summary))
    if args.profiles is not None:
        size = StoreSize(args.profiles, args.events_per_profile, args.audiences, args.seed)
        lines.append(seed_profiles(args.db, args.org_id, args.sandbox, size))
    return lines


def run_seed(args: SeedArgs) -> ExitCode:
    try:
        lines = _seed(args)
    except ValueError as exc:
        raise ConfigError(f"emulator seed: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot write the platform database {args.db}: {exc}") from None
    for line in lines:
        print(f"{line} in {args.db}", flush=True)
    return ExitCode.OK
