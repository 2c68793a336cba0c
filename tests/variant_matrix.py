"""The variant combinations the e2e story and the chaos suite run under (issue 11).

Where Adobe is silent or contradicts itself, the embedded platform offers each plausible
behaviour as a variant (docs/adobe-fidelity.md); reconciler must converge under all of them.
Not the full product (3 x 2 x 3 x 2 x 2 x 3 = 216 platforms): every value of every variant
at least once, and the pairs most likely to break identity and convergence together:
a sparse echo with a lingering or a failing cancel (jobs known only by id, cancels that do
not go away), a sparse echo with a merging tags PATCH, and the 20-dataset page cap with
each echo that hides requests.
"""

from __future__ import annotations

from aep_reconciler.emulator.variants import ADOBE_DEFAULTS, COMPATIBLE

COMBINATIONS: dict[str, tuple[str, ...]] = {
    # Adobe's own examples and documents: the platform's default
    "adobe": tuple(ADOBE_DEFAULTS.items()),
    # the guide's sparsest answers everywhere, a cancel that stays listed, every page capped
    "sparse-linger": (
        "cancel=linger", "cancel-answer=200", "job-echo=sparse", "tags-patch=replace",
        "dataset-ref=datasets", "catalog-page-cap=20",
    ),
    # sparse answers, a cancel that ends FAILED, merging tag PATCHes, the observableSchema cap
    "sparse-fail": (
        "cancel=fail", "cancel-answer=200", "job-echo=sparse", "tags-patch=merge",
        "dataset-ref=dataSets", "catalog-page-cap=100",
    ),
    # the platform as it answered before issue 11 (COMPATIBLE): verbatim echo, cancels
    # vanish, a tags PATCH replaces the map, @/dataSets/, no cap
    "verbatim-vanish": tuple(COMPATIBLE.items()),
}  # fmt: skip


def serve_args(name: str) -> list[str]:
    """``emulator serve`` arguments for combination ``name``."""
    return [arg for item in COMBINATIONS[name] for arg in ("--variant", item)]
