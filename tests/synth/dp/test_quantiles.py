"""DP quantiles (synth.dp.quantiles): accurate with a large epsilon, spread over the bounds with a tiny one."""

import numpy as np

from synth.dp.quantiles import dp_quantiles


def test_dp_quantiles_near_true_quantiles_with_large_epsilon():
    values = np.arange(1000, dtype=float)
    edges = dp_quantiles(values, [0.25, 0.5, 0.75], 0, 1000, epsilon=30.0, rng=np.random.default_rng(7))
    # eps per quantile 10: picking a gap r ranks away has relative weight exp(-5 r); +-5 ranks is certain.
    assert np.all(np.abs(edges - [250, 500, 750]) <= 5)


def test_dp_quantiles_small_epsilon_spreads_over_bounds():
    values = np.full(200, 50.0)
    draws = np.concatenate([dp_quantiles(values, [0.5], 0, 100, 0.01, np.random.default_rng(s)) for s in range(200)])
    # Almost no budget: the output is nearly uniform on [0, 100], not concentrated on the true median 50.
    assert 0 <= draws.min() and draws.max() <= 100 and (np.abs(draws - 50) > 10).mean() > 0.5
