"""Variants: the named choices where Adobe is silent or contradicts itself (aep-api.md Part B).

Each field is one variant, spelled on the command line as ``NAME=VALUE``
(``reconciler emulator serve --variant cancel=linger``). The defaults are the values
closest to Adobe's examples (``ADOBE_DEFAULTS``); ``COMPATIBLE`` holds the answers the
platform gave before it followed them. docs/adobe-fidelity.md gives the sources on each side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Cancel = Literal["vanish", "linger", "fail"]
CancelAnswer = Literal["204", "200"]
JobEcho = Literal["resolved", "sparse", "verbatim"]
TagsPatch = Literal["replace", "merge"]
DatasetRef = Literal["dataSets", "datasets"]
CatalogPageCap = Literal["100", "20", "none"]


def _variant(name: str, choices: tuple[str, ...], default: str) -> Any:
    return field(default=default, metadata={"name": name, "choices": choices})


@dataclass(frozen=True)
class Variants:
    """One typed field per variant; ``Variants()`` is the platform's default behaviour."""

    # DELETE /export/jobs/{id}: gone at once / listed "marked for cancelling", then gone /
    # listed and ends FAILED.
    cancel: Cancel = _variant("cancel", ("vanish", "linger", "fail"), "linger")
    # The cancel answer: the guide's 204 with no body, or the spec's 200 with a body.
    cancel_answer: CancelAnswer = _variant("cancel-answer", ("204", "200"), "204")
    # Job answers: the request as sent (today) / Adobe's examples (resolved mergePolicy, no
    # evaluationInfo, the create answer sparse) / every answer as sparse as the guide's.
    job_echo: JobEcho = _variant("job-echo", ("resolved", "sparse", "verbatim"), "resolved")
    # A field-form PATCH of ``tags``: replaces the whole map, or merges keys into it.
    tags_patch: TagsPatch = _variant("tags-patch", ("replace", "merge"), "merge")
    # The dataset reference in Catalog answers: ``@/dataSets/{id}`` or ``@/datasets/{id}``.
    dataset_ref: DatasetRef = _variant("dataset-ref", ("dataSets", "datasets"), "datasets")
    # Datasets per Catalog page: at most 100 (at most 20 with observableSchema), at most 20
    # always (service tokens), or ``none`` = any ``limit`` up to 100 is honoured (a
    # compatibility value for the current client, not an Adobe behaviour).
    catalog_page_cap: CatalogPageCap = _variant("catalog-page-cap", ("100", "20", "none"), "20")

    @classmethod
    def parse(cls, items: Iterable[str], base: Variants | None = None) -> Variants:
        """``["cancel=linger", …]`` applied over ``base`` (default: ``Variants()``).

        Unknown names or values raise ValueError listing the choices.
        """
        by_name = {f.metadata["name"]: f for f in dataclasses.fields(cls)}
        changes: dict[str, Any] = {}
        for item in items:
            name, sep, value = item.partition("=")
            name, value = name.strip(), value.strip()
            spec = by_name.get(name)
            if not sep or spec is None:
                raise ValueError(
                    f"unknown variant {item!r}; expected NAME=VALUE with NAME one of "
                    f"{', '.join(sorted(by_name))}"
                )
            choices = spec.metadata["choices"]
            if value not in choices:
                raise ValueError(
                    f"variant {name} has no value {value!r}; choose one of {', '.join(choices)}"
                )
            changes[spec.name] = value
        return dataclasses.replace(base or cls(), **changes)

    @classmethod
    def choices(cls) -> dict[str, tuple[str, ...]]:
        """Variant name → its values, for help texts and test matrices."""
        return {f.metadata["name"]: f.metadata["choices"] for f in dataclasses.fields(cls)}

    def items(self) -> list[str]:
        """``NAME=VALUE`` of every variant, the form ``parse`` reads."""
        return [f"{f.metadata['name']}={getattr(self, f.name)}" for f in dataclasses.fields(self)]

    def page_cap(self, properties: tuple[str, ...] | None) -> int | None:
        """The most datasets one Catalog page may hold for this projection (None: no cap)."""
        if self.catalog_page_cap == "none":
            return None
        if self.catalog_page_cap == "20" or (properties and "observableSchema" in properties):
            return 20
        return 100


# The defaults are the values closest to Adobe's own examples and documents
# (docs/adobe-fidelity.md gives the sources of each).
ADOBE_DEFAULTS = Variants()

# The answers the embedded platform gave before it followed Adobe's examples: the request
# echoed verbatim, cancelled jobs gone at once, a tags PATCH replacing the map,
# ``@/dataSets/``, any ``limit`` honoured. Kept as a variant set so tests written against
# those answers pin them explicitly, and so a client can be tried against the old shape.
COMPATIBLE = Variants(
    cancel="vanish",
    job_echo="verbatim",
    tags_patch="replace",
    dataset_ref="dataSets",
    catalog_page_cap="none",
)
