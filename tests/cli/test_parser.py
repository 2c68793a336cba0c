"""The parser registers the command named on the line, and only that one."""

from __future__ import annotations

import argparse
import dataclasses
import functools
from collections.abc import Callable

import pytest

from aep_reconciler.commands._flags import (
    DestroyFlags,
    PlanFlags,
    StackFlags,
    VarFlags,
    WriteFlags,
    add_destroy_flags,
    add_plan_flags,
    add_stack_flags,
    add_var_flag,
    add_write_flags,
)
from aep_reconciler.commands._parser import COMMANDS, Parser, build_parser, runs
from aep_reconciler.commands._prompt import Approval, add_approval_flags
from aep_reconciler.commands.apply import ApplyArgs
from aep_reconciler.commands.completion import CompletionArgs
from aep_reconciler.commands.destroy import DestroyArgs
from aep_reconciler.commands.drift import DriftArgs
from aep_reconciler.commands.emulator import SeedArgs, ServeArgs
from aep_reconciler.commands.export import ExportArgs
from aep_reconciler.commands.import_ import ImportArgs
from aep_reconciler.commands.init import InitArgs
from aep_reconciler.commands.ls import LsArgs
from aep_reconciler.commands.output import OutputArgs
from aep_reconciler.commands.plan import PlanArgs
from aep_reconciler.commands.schema import SchemaArgs
from aep_reconciler.commands.show import ShowArgs
from aep_reconciler.commands.unlock import UnlockArgs
from aep_reconciler.commands.validate import ValidateArgs
from aep_reconciler.exit_codes import ExitCode


def _runs(parser: argparse.ArgumentParser) -> bool:
    """The parser, or every one of its own subcommands (emulator serve|seed), runs something."""
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if nested:
        return all(_runs(p) for a in nested for p in a.choices.values())
    return callable(parser.get_default("run"))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_command_is_imported_and_registers_its_own_parser(name: str) -> None:
    parser = build_parser([name])
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert _runs(sub.choices[name]), name
    others = [n for n in COMMANDS if n != name and _runs(sub.choices[n])]
    assert others == []


@dataclasses.dataclass(frozen=True)
class _Args:
    name: str
    force: bool


def test_a_command_body_gets_its_arguments_as_a_frozen_dataclass() -> None:
    parser = Parser(prog="t")
    parser.add_argument("name")
    parser.add_argument("--force", action="store_true")
    seen: list[_Args] = []

    def body(args: _Args) -> ExitCode:
        seen.append(args)
        return ExitCode.CHANGES

    runs(parser, body, _Args)
    namespace = parser.parse_args(["x", "--force"])
    assert namespace.run(namespace) is ExitCode.CHANGES
    assert seen == [_Args(name="x", force=True)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        seen[0].force = False  # type: ignore[misc]


# Each command's parser (a path: emulator serve) and the dataclass its body receives.
TYPED: list[tuple[tuple[str, ...], type[object]]] = [
    (("validate",), ValidateArgs),
    (("schema",), SchemaArgs),
    (("plan",), PlanArgs),
    (("apply",), ApplyArgs),
    (("drift",), DriftArgs),
    (("output",), OutputArgs),
    (("show",), ShowArgs),
    (("import",), ImportArgs),
    (("export",), ExportArgs),
    (("init",), InitArgs),
    (("destroy",), DestroyArgs),
    (("ls",), LsArgs),
    (("unlock",), UnlockArgs),
    (("emulator", "serve"), ServeArgs),
    (("emulator", "seed"), SeedArgs),
    (("completion",), CompletionArgs),
]

# Flags every parser has, read by cli.py rather than by a command body.
GLOBAL = {"help", "verbose", "no_color"}


def _fields(arguments: type[object]) -> set[str]:
    return {f.name for f in dataclasses.fields(arguments)}  # type: ignore[arg-type]


def _parser_of(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = build_parser([path[0]])
    for name in path:
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = sub.choices[name]
    return parser


def test_every_command_is_typed() -> None:
    assert {path[0] for path, _ in TYPED} == set(COMMANDS)


@pytest.mark.parametrize(("path", "arguments"), TYPED, ids=[" ".join(p) for p, _ in TYPED])
def test_a_typed_command_reads_exactly_the_arguments_its_parser_defines(
    path: tuple[str, ...], arguments: type[object]
) -> None:
    """No field its parser lacks (a crash), no flag its body never sees (a silent no-op)."""
    parser = _parser_of(path)
    dests = {a.dest for a in parser._actions} - GLOBAL
    assert _fields(arguments) == dests
    assert arguments.__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("add", "flags"),
    [
        (add_stack_flags, StackFlags),
        (add_destroy_flags, DestroyFlags),
        (add_write_flags, WriteFlags),
        (add_var_flag, VarFlags),
        (add_plan_flags, PlanFlags),
        (functools.partial(add_approval_flags, verb="apply"), Approval),
    ],
)
def test_each_flag_group_has_a_dataclass_of_exactly_its_flags(
    add: Callable[[argparse.ArgumentParser], None], flags: type[object]
) -> None:
    parser = Parser(prog="t")
    add(parser)
    assert _fields(flags) == {a.dest for a in parser._actions} - {"help"}
