"""The argument parser, built lazily: only the command being run is imported.

``reconciler --version``, ``--help`` and shell completion answer from the command index
below without importing a single command module (importing them all loads httpx,
pydantic models, Starlette and uvicorn: most of a second before anything happens). The
command named is imported by an import statement in ``_register``, never by a string.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TypeAlias, TypeVar, cast

from aep_reconciler.exit_codes import ExitCode

# name -> one-line help. The order is the order of --help.
COMMANDS: dict[str, str] = {
    "validate": "check manifests offline (no API call)",
    "schema": "print the JSON Schema of a manifest document",
    "plan": "show what apply would change",
    "apply": "make the platform match the manifests",
    "drift": "report differences between the manifests and the platform",
    "output": "show (and download) what a manifest's latest export job wrote",
    "show": "show a saved plan (text, JSON or Markdown), offline",
    "import": "bring an existing dataset under management",
    "export": "write manifests for what a sandbox holds already, and adopt it",
    "init": "set a repository up for reconciler (never overwrites a file)",
    "destroy": "remove everything the stack owns on a target",
    "ls": "list what the stack owns on the platform: datasets, jobs, last status",
    "unlock": "name the holder of the stack's apply lease; --force releases it",
    "emulator": (
        "run the embedded AEP platform (a local fake of IMS, Catalog and UPS export jobs)"
    ),
    "completion": "print a shell completion script (bash or zsh)",
}


class Parser(argparse.ArgumentParser):
    """Usage errors exit 1, never 2; options are never abbreviated (--auto is no flag)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        # never 2 (ExitCode.CHANGES): in CI, 2 means "changes present"
        self.exit(ExitCode.ERROR, f"{self.prog}: error: {message}\n")


# What a command's ``register(subparsers)`` receives (argparse names no public type for it).
Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"


def _register(name: str, sub: Subparsers) -> None:
    """Import the one command being run, by statement (so mypy checks its ``register``),
    and let it add its parser. Importing every command up front would load httpx,
    pydantic, Starlette and uvicorn before ``--version`` could answer."""
    register: Callable[[Subparsers], None]
    match name:
        case "validate":
            from aep_reconciler.commands.validate import register
        case "schema":
            from aep_reconciler.commands.schema import register
        case "plan":
            from aep_reconciler.commands.plan import register
        case "apply":
            from aep_reconciler.commands.apply import register
        case "drift":
            from aep_reconciler.commands.drift import register
        case "output":
            from aep_reconciler.commands.output import register
        case "show":
            from aep_reconciler.commands.show import register
        case "import":
            from aep_reconciler.commands.import_ import register
        case "export":
            from aep_reconciler.commands.export import register
        case "init":
            from aep_reconciler.commands.init import register
        case "destroy":
            from aep_reconciler.commands.destroy import register
        case "ls":
            from aep_reconciler.commands.ls import register
        case "unlock":
            from aep_reconciler.commands.unlock import register
        case "emulator":
            from aep_reconciler.commands.emulator import register
        case "completion":
            from aep_reconciler.commands.completion import register
        case _:
            raise AssertionError(f"{name} is in COMMANDS but has no import in _register")
    register(sub)


A = TypeVar("A")  # a command's arguments: a frozen dataclass


def runs(
    parser: argparse.ArgumentParser, body: Callable[[A], ExitCode], arguments: type[A]
) -> None:
    """``parser``'s command runs ``body`` with its arguments as ``arguments``, a frozen
    dataclass built here, field by field, from the Namespace: the one place a command's
    arguments are untyped."""

    def run(namespace: argparse.Namespace) -> ExitCode:
        return body(typed(namespace, arguments))

    parser.set_defaults(run=run)


def typed(namespace: argparse.Namespace, arguments: type[A]) -> A:
    """``arguments`` (a dataclass) with each field read from ``namespace``."""
    names = [f.name for f in dataclasses.fields(cast(Any, arguments))]
    return arguments(**{n: getattr(namespace, n) for n in names})


def add_common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Flags every command takes, before or after its name.

    On a command's parser they default to SUPPRESS: argparse copies a subparser's defaults
    over the values the top-level parser already read.
    """
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        **({"default": 0} if top else default),
        help="log retries and rate-limit waits (-vv: every call); or RECONCILER_LOG=info|debug",
    )
    parser.add_argument(
        "--no-color",
        action="store_true",
        **default,
        help="no colour even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 forces it)",
    )


def command_of(argv: Sequence[str]) -> str | None:
    """The command argv names: its first word that is not an option (global flags take none)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] = ()) -> Parser:
    """The parser for ``argv``: every command listed, only the one it names registered."""
    from aep_reconciler import __version__

    parser = Parser(
        prog="reconciler",
        description="GitOps for Adobe Experience Platform datasets and profile export jobs.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    add_common(parser, top=True)
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    chosen = command_of(argv)
    for name, help_ in COMMANDS.items():
        if name != chosen:
            sub.add_parser(name, help=help_)  # listed in --help; never run
            continue
        _register(name, sub)
        add_common(sub.choices[name])
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[argparse._SubParsersAction[Any]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield action


def candidates(words: Sequence[str]) -> list[str]:
    """What may come after ``words`` (the command line without the program and the word
    being typed): command names, options, or the choices of the option just typed.

    Empty means "a file name or free text": the shell completes it itself.
    """
    name = command_of(words)
    if name is None:
        top = build_parser()
        return [*COMMANDS, *(o for a in top._actions for o in a.option_strings)]
    parser: argparse.ArgumentParser = build_parser([name])
    for word in words[list(words).index(name) :]:
        nested = {k: v for s in _subcommands(parser) for k, v in s.choices.items()}
        if word in nested:
            parser = nested[word]
    options = {o: a for a in parser._actions for o in a.option_strings}
    last = options.get(words[-1]) if words else None
    if last is not None and last.nargs != 0:
        return [str(c) for c in last.choices or ()]
    nested_names = [k for s in _subcommands(parser) for k in s.choices]
    return [*nested_names, *options]
