"""The parser registers the command named on the line, and only that one."""

from __future__ import annotations

import argparse

import pytest

from reconciler.commands._parser import COMMANDS, build_parser


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
