"""The variant matrix covers every value of every variant (tests/variant_matrix.py)."""

from __future__ import annotations

from aep_reconciler.emulator import Variants
from tests.variant_matrix import COMBINATIONS


def test_every_value_of_every_variant_is_in_some_combination() -> None:
    seen: dict[str, set[str]] = {}
    for items in COMBINATIONS.values():
        parsed = Variants.parse(items)  # each combination is a valid platform
        for item in parsed.items():
            name, _, value = item.partition("=")
            seen.setdefault(name, set()).add(value)
        assert len(items) == len(Variants.choices())  # every variant named explicitly
    assert seen == {name: set(values) for name, values in Variants.choices().items()}
