"""DP percentile over a public range (synth.dp.percentile): bounds, candidate grid, exact output distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synth.dp.percentile import (
    MAX_BOUND,
    PRIOR_EXPONENT,
    candidate_grid,
    contribution_bound,
    dp_percentile,
    max_attributes,
    percentile_distribution,
)


def test_max_attributes_and_contribution_bounds():
    # 1 per single-value column, m_c per multi-value column; the sample: 10 single + 7 multi-value at m_c = 6
    assert max_attributes(["a", "m", "b"], {"m": 6}) == 8
    assert (
        max_attributes([f"s{i}" for i in range(10)] + [f"m{i}" for i in range(7)], {f"m{i}": 6 for i in range(7)}) == 52
    )
    assert [contribution_bound(52, l) for l in (1, 2, 3)] == [52, 1326, 22100]
    assert contribution_bound(2, 3) == 0  # a length longer than W_max cannot occur
    assert contribution_bound(10_000, 10) == MAX_BOUND


def test_candidate_grid():
    assert candidate_grid(0).tolist() == [0]
    assert candidate_grid(5).tolist() == list(range(6))
    assert candidate_grid(20).tolist() == list(range(21))
    assert candidate_grid(22).tolist() == [*range(22), 22]
    grid = candidate_grid(22100)
    assert grid[:26].tolist() == [*range(21), 21, 23, 24, 25, 26]  # ceil(20·1.05^k): 21, 22.05 -> 23, ...
    assert grid[-1] == 22100 and (np.diff(grid) > 0).all()
    assert {180, 1041} <= set(grid.tolist())  # the caps the simulation found lie on the grid
    tail = grid[21:-1]
    assert np.array_equal(tail, [math.ceil(20 * 1.05**k - 1e-9) for k in range(1, tail.size + 1)])
    assert grid.size == 21 + math.ceil(math.log(22100 / 20) / math.log(1.05))  # the last step is C_l itself
    assert candidate_grid(MAX_BOUND).size < 1000


def test_distribution_sums_to_one_and_follows_the_utility():
    s = np.array([0, 1, 4, 5, 5, 8, 11, 12, 12, 15])
    grid, log_p = percentile_distribution(s, 60, 1.0, 20)
    assert grid.tolist() == list(range(21))
    assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-12)
    # u(v) = -|#{s <= v} - 6|: 0 for v in 8..10 (6 values at or below), -1 for 5..7, -4 for v >= 15
    utility = -np.abs(np.searchsorted(np.sort(s), grid, side="right") - 6)
    assert utility[5:11].tolist() == [-1, -1, -1, 0, 0, 0] and utility[15:].tolist() == [-4] * 6
    # plus the public base measure max(v, 1)^-γ, which prefers small caps whatever the data
    prior = -PRIOR_EXPONENT * np.log(np.maximum(grid, 1))
    assert log_p - log_p[8] == pytest.approx(utility / 2.0 + prior - prior[8], abs=1e-12)


@pytest.mark.parametrize("bound", [0, 7, 20, 52, 1326, 22100])
@pytest.mark.parametrize("percentage", [0, 37.5, 50, 99, 100])
def test_worst_case_neighbours_stay_within_e_epsilon(bound, percentage):
    """D and D + one record with 0, C_l/2, C_l and a huge contribution: every output's probability ratio is at
    most e^ε (exact, no sampling) and the set of possible outputs is the same (it never depends on max(s))."""
    epsilon = 0.7
    rng = np.random.default_rng(0)
    datasets = [
        np.zeros(0, dtype=np.int64),
        np.zeros(50, dtype=np.int64),
        np.full(50, bound),
        rng.integers(0, bound + 1, 400),
        np.minimum(rng.geometric(0.2, 400), bound),  # a tail like real contributions
    ]
    worst = 0.0
    for d in datasets:
        grid, log_p = percentile_distribution(d, percentage, epsilon, bound)
        for extra in (0, bound // 2, bound, bound + 1, 10**15):
            grid_n, log_q = percentile_distribution(np.append(d, extra), percentage, epsilon, bound)
            assert np.array_equal(grid, grid_n)
            assert np.all(np.isfinite(log_p)) and np.all(np.isfinite(log_q))
            worst = max(worst, float(np.abs(log_p - log_q).max()))
    assert worst <= epsilon + 1e-9
    if bound > 0:
        assert worst >= 0.3 * epsilon  # the test can see a violation: neighbours do move the distribution


def test_sampling_follows_the_exact_distribution():
    rng = np.random.default_rng(5)
    s = rng.integers(0, 40, 500)
    grid, log_p = percentile_distribution(s, 90, 0.05, 60)
    draws = np.array([dp_percentile(s, 90, 0.05, 60, rng) for _ in range(20_000)])
    freq = (draws[:, None] == grid[None, :]).mean(axis=0)
    p = np.exp(log_p)
    # per candidate, within 4.5 binomial SDs (+ 1e-3): ~40 candidates, false alarm < 1e-3
    assert (np.abs(freq - p) <= 4.5 * np.sqrt(p * (1 - p) / draws.size) + 1e-3).all()
    assert set(draws.tolist()) <= set(grid.tolist())


def test_large_epsilon_gives_the_percentile():
    rng = np.random.default_rng(5)
    s = rng.integers(0, 40, 500)
    best = int(np.argmin(np.abs(np.searchsorted(np.sort(s), np.arange(41), side="right") - 450)))
    assert [dp_percentile(s, 90, 1e3, 60, rng) for _ in range(50)] == [best] * 50
    # no records: the utility is 0 everywhere, so the output follows the base measure max(v, 1)^-γ
    grid, log_p = percentile_distribution(np.zeros(0, dtype=np.int64), 99, 1.0, 30)
    prior = np.maximum(grid, 1) ** -PRIOR_EXPONENT
    assert np.exp(log_p) == pytest.approx(prior / prior.sum())
