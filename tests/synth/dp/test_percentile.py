"""DP percentile of contribution counts (synth.dp.percentile): SDS quality scores, type-8 percentile, noisy max."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synth.dp.percentile import dp_percentile, percentile_quality_scores, percentile_type8


def test_percentile_quality_scores_reference_case():
    s = np.array([0, 1, 4, 5, 5, 8, 11, 12, 12, 15])
    assert math.floor(percentile_type8(s, 60)) == 9
    scores = percentile_quality_scores(s, 60)
    assert scores.tolist() == [-5, -4, -4, -4, -3, -1, -1, -1, 0, -1, -1, -1, -3, -3, -3, -4]
    assert int(np.argmax(scores)) == 8  # pval = s[pidx = 5]


@pytest.mark.parametrize(
    "values, expected",
    [
        ([4] * 10, [-6, -6, -6, -6, 0]),  # absent v = 0 scores -ceil(nQ), later absent ones copy it
        ([5, 4], [-2, -2, -2, -2, 0, -1]),  # the maximum scores -ceil(n(1 - Q))
        ([4], [-1, -1, -1, -1, 0]),
        ([], []),
    ],
)
def test_percentile_quality_scores_edge_cases(values, expected):
    assert percentile_quality_scores(np.array(values, dtype=np.int64), 60).tolist() == expected


def test_percentile_type8_matches_numpy_median_unbiased():
    rng = np.random.default_rng(3)
    for size in (1, 2, 7, 100, 1001):
        s = np.sort(rng.integers(0, 50, size))
        for q in (0, 1, 37.5, 60, 99, 100):
            assert percentile_type8(s, q) == pytest.approx(np.percentile(s, q, method="median_unbiased"))


def test_dp_percentile_is_exact_with_large_epsilon_and_noisy_with_small():
    rng = np.random.default_rng(5)
    s = rng.integers(0, 40, 500)
    pval = int(np.argmax(percentile_quality_scores(s, 90)))
    assert [dp_percentile(s, 90, 1e3, rng) for _ in range(50)] == [pval] * 50
    noisy = [dp_percentile(s, 90, 0.05, rng) for _ in range(50)]
    assert len(set(noisy)) > 5 and all(0 <= v <= s.max() for v in noisy)
    assert dp_percentile(np.zeros(0, dtype=np.int64), 99, 1.0, rng) == 0
