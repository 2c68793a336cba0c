"""Approval before a write: a protected target's typed name, then 'yes' or --auto-approve."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.target import Session


def add_approval_flags(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--auto-approve",
        action="store_true",
        help=f"{verb} without asking (needed without a terminal)",
    )
    parser.add_argument(
        "--confirm-target",
        metavar="NAME",
        help="confirm a protected target without typing its name",
    )


@dataclass(frozen=True)
class Approval:
    """The flags of ``add_approval_flags``."""

    auto_approve: bool
    confirm_target: str | None


def ask(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip()


def confirm(
    session: Session,
    args: Approval,
    *,
    verb: str,
    question: str,
    approved: bool = False,
) -> None:
    """Refuse unless approved: interactively on a terminal, or by flags in CI.

    A protected target needs its name typed (or ``--confirm-target NAME``) even when the
    rest is ``approved`` already (a saved plan is its own approval).
    """
    target = session.target
    interactive = sys.stdin.isatty()
    if session.protected and args.confirm_target != target:
        if not interactive:
            raise ConfigError(
                f"target {target} is protected: pass --confirm-target {target} to {verb} it"
            )
        if ask(f"Target {target} is protected. Type its name to continue: ") != target:
            raise ConfigError(f"{verb} cancelled: the target name did not match")
    if approved or args.auto_approve:
        return
    if not interactive:
        raise ConfigError(f"no terminal to ask for approval: pass --auto-approve to {verb}")
    if ask(f"{question} Only 'yes' is accepted: ") != "yes":
        raise ConfigError(f"{verb} cancelled")
