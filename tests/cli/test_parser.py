"""The parser registers the command named on the line, and only that one."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from aep_reconciler.commands._parser import COMMANDS, Parser, build_parser, runs
from aep_reconciler.commands.ls import LsArgs
from aep_reconciler.commands.schema import SchemaArgs
from aep_reconciler.commands.show import ShowArgs
from aep_reconciler.commands.unlock import UnlockArgs
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


@pytest.mark.parametrize(
    ("name", "arguments"),
    [("schema", SchemaArgs), ("show", ShowArgs), ("unlock", UnlockArgs), ("ls", LsArgs)],
)
def test_a_typed_command_reads_only_arguments_its_parser_defines(
    name: str, arguments: type[object]
) -> None:
    (sub,) = [a for a in build_parser([name])._actions if isinstance(a, argparse._SubParsersAction)]
    dests = {a.dest for a in sub.choices[name]._actions}
    assert {f.name for f in dataclasses.fields(arguments)} <= dests  # type: ignore[arg-type]
