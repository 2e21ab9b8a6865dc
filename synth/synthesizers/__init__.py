"""Synthesizers derived only from DP aggregates: ``(aggregates, rng, **options) -> Encoded``."""

from collections.abc import Callable

from synth.encode import Encoded
from synth.synthesizers.aggregate_seeded import aggregate_seeded
from synth.synthesizers.gum import gum
from synth.synthesizers.raked_marginals import raked_marginals

DEFAULT_SYNTHESIZER = "gum"

SYNTHESIZERS: dict[str, Callable[..., Encoded]] = {
    "raked_marginals": raked_marginals,
    "aggregate_seeded": aggregate_seeded,
    "gum": gum,
}
