"""Variants: parsed from NAME=VALUE, unknown names or values refused with the choices."""

from __future__ import annotations

import argparse

import pytest

from reconciler.commands.emulator import config_from_args, register
from reconciler.emulator import ADOBE_DEFAULTS, Variants


def test_parse_applies_each_item_over_the_defaults() -> None:
    parsed = Variants.parse(["cancel=linger", "job-echo=sparse", "cancel=fail"])
    assert parsed.cancel == "fail"  # the last one wins, as for repeated flags
    assert parsed.job_echo == "sparse"
    assert parsed.dataset_ref == Variants().dataset_ref


def test_parse_over_a_base_keeps_what_is_not_named() -> None:
    parsed = Variants.parse(["dataset-ref=dataSets"], base=ADOBE_DEFAULTS)
    assert parsed.dataset_ref == "dataSets"
    assert parsed.job_echo == ADOBE_DEFAULTS.job_echo


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
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        ["emulator", "serve", "--variant", "cancel=linger", "--variant", "cancel-answer=200"]
    )
    config = config_from_args(args)
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
