"""Variants: parsed from NAME=VALUE, unknown names or values refused with the choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from aep_reconciler.commands._parser import Parser, typed
from aep_reconciler.commands.emulator import ServeArgs, config_from_args, register
from aep_reconciler.emulator import ADOBE_DEFAULTS, COMPATIBLE, Variants


def test_parse_applies_each_item_over_the_defaults() -> None:
    parsed = Variants.parse(["cancel=linger", "job-echo=sparse", "cancel=fail"])
    assert parsed.cancel == "fail"  # the last one wins, as for repeated flags
    assert parsed.job_echo == "sparse"
    assert parsed.dataset_ref == Variants().dataset_ref


def test_parse_over_a_base_keeps_what_is_not_named() -> None:
    parsed = Variants.parse(["dataset-ref=datasets"], base=COMPATIBLE)
    assert parsed.dataset_ref == "datasets"
    assert parsed.job_echo == COMPATIBLE.job_echo == "verbatim"


def test_the_defaults_are_the_values_closest_to_adobes_examples() -> None:
    """Issue 11: "The default is the variant closest to Adobe's examples, not the one easiest
    for the client"; COMPATIBLE keeps the answers the platform gave before."""
    assert Variants() == ADOBE_DEFAULTS
    assert Variants().items() == [
        "cancel=linger",
        "cancel-answer=204",
        "job-echo=resolved",
        "tags-patch=merge",
        "dataset-ref=datasets",
        "catalog-page-cap=20",
    ]
    assert COMPATIBLE.items() == [
        "cancel=vanish",
        "cancel-answer=204",
        "job-echo=verbatim",
        "tags-patch=replace",
        "dataset-ref=dataSets",
        "catalog-page-cap=none",
    ]


def test_the_fidelity_table_states_the_defaults_and_the_compatible_set() -> None:
    """docs/adobe-fidelity.md's variant table: its "default (Adobe)" and "compatible" columns
    say what ``Variants()`` and ``COMPATIBLE`` hold, one row per variant."""
    doc = Path(__file__).resolve().parents[2] / "docs" / "adobe-fidelity.md"
    table: dict[str, tuple[str, str]] = {}
    for line in doc.read_text().splitlines():
        cells = [c.strip().strip("`") for c in line.split("|")[1:-1]]
        if len(cells) == 6 and cells[0] in Variants.choices():
            table[cells[0]] = (cells[2], cells[3])
    assert table == {
        name: (default.partition("=")[2], compatible.partition("=")[2])
        for default, compatible in zip(Variants().items(), COMPATIBLE.items(), strict=True)
        for name in [default.partition("=")[0]]
    }


def test_items_round_trip_through_parse() -> None:
    assert Variants.parse(ADOBE_DEFAULTS.items()) == ADOBE_DEFAULTS
    assert sorted(n.split("=")[0] for n in Variants().items()) == sorted(Variants.choices())


@pytest.mark.parametrize(
    ("item", "needles"),
    [
        ("cancel=later", ("cancel", "vanish, linger, fail")),
        ("echo=resolved", ("job-echo", "tags-patch", "dataset-ref")),
        ("cancel", ("NAME=VALUE",)),
        ("dataset-ref=DataSets", ("dataSets, datasets",)),
    ],
)
def test_unknown_names_and_values_list_the_choices(item: str, needles: tuple[str, ...]) -> None:
    with pytest.raises(ValueError) as caught:
        Variants.parse([item])
    assert all(n in str(caught.value) for n in needles), caught.value


def test_serve_flag_is_repeatable_and_reaches_the_config() -> None:
    parser = Parser()
    register(parser.add_subparsers(parser_class=Parser))
    args = parser.parse_args(
        ["emulator", "serve", "--variant", "cancel=linger", "--variant", "cancel-answer=200"]
    )
    config = config_from_args(typed(args, ServeArgs))
    assert (config.variants.cancel, config.variants.cancel_answer) == ("linger", "200")
    assert config.variants.job_echo == Variants().job_echo


@pytest.mark.parametrize(
    ("cap", "properties", "expected"),
    [
        ("none", ("observableSchema",), None),
        ("100", ("name",), 100),
        ("100", ("name", "observableSchema"), 20),
        ("100", None, 100),
        ("20", ("name",), 20),
    ],
)
def test_page_cap_follows_the_variant_and_the_projection(
    cap: str, properties: tuple[str, ...] | None, expected: int | None
) -> None:
    variants = Variants.parse([f"catalog-page-cap={cap}"])
    assert variants.page_cap(properties) == expected
