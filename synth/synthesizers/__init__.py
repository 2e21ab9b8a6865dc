"""Synthesizers derived only from DP aggregates: ``(aggregates, rng, **options) -> Encoded``."""

from synth.synthesizers.aggregate_seeded import aggregate_seeded
from synth.synthesizers.raked_marginals import raked_marginals

DEFAULT_SYNTHESIZER = "raked_marginals"

SYNTHESIZERS = {
    "raked_marginals": raked_marginals,
    "aggregate_seeded": aggregate_seeded,
}
