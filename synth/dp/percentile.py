"""DP percentile of per-record contribution counts: SDS's quality scores and report-noisy-max (§4.4).

The candidate outputs are the integers 0..max(s), as in SDS. Note that this range depends on the data
(the maximum contribution); SDS accepts this and so do we (see docs/privacy.md, known limitations).
"""

from __future__ import annotations

import math

import numpy as np


def percentile_type8(sorted_values: np.ndarray, percentage: float) -> float:
    """Hyndman-Fan type 8 percentile of a sorted non-empty array, with statrs's arithmetic and clamping."""
    n = sorted_values.size
    tau = percentage / 100.0
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return float(sorted_values[0])
    if hf >= n or tau == 1.0:
        return float(sorted_values[-1])
    a, b = float(sorted_values[hf - 1]), float(sorted_values[hf])
    return a + (h - hf) * (b - a)


def _forward_fill(magnitudes: np.ndarray, defined: np.ndarray) -> np.ndarray:
    """Replace undefined entries by the last defined one before them (entry 0 must be defined)."""
    idx = np.maximum.accumulate(np.where(defined, np.arange(magnitudes.size), 0))
    return magnitudes[idx]


def percentile_quality_scores(values: np.ndarray, percentage: float) -> np.ndarray:
    """Quality scores q(v) <= 0 for v = 0..max(values) (empty for empty input), exactly as SDS.

    With P = floor(type-8 percentile), pidx the last sorted index with s <= P and pval = s[pidx]:
    q(pval) = 0; below pval a present v scores -(pidx - last(v)); above, -(last(v) - pidx); the maximum
    scores -ceil(n(1 - Q/100)); an absent v scores -max(|previous score|, 1), except an absent v = 0,
    which scores -ceil(nQ/100).
    """
    s = np.sort(np.asarray(values, dtype=np.int64))
    n = s.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    prop = percentage / 100.0
    p = math.floor(percentile_type8(s, percentage))
    pidx = int(np.searchsorted(s, p, side="right")) - 1
    pval, top = int(s[pidx]), int(s[-1])
    counts = np.bincount(s, minlength=top + 1)
    last = np.cumsum(counts) - 1
    present = counts > 0
    mag = np.zeros(top + 1, dtype=np.int64)

    below = slice(0, pval)
    mag[below] = pidx - last[below]
    defined = present[below].copy()
    if pval > 0 and not present[0]:
        mag[0] = math.ceil(n * prop)
        defined[0] = True
    if pval > 0:
        mag[below] = np.where(defined, mag[below], np.maximum(_forward_fill(mag[below], defined), 1))

    above = slice(pval, top + 1)  # starts at pval (score 0) so absent values right after it get 1
    mag[above] = last[above] - pidx
    mag[pval] = 0
    defined = present[above].copy()
    defined[0] = True
    mag[above] = np.where(defined, mag[above], np.maximum(_forward_fill(mag[above], defined), 1))
    if top > pval:
        mag[top] = math.ceil(n * (1.0 - prop))
    return -mag


def dp_percentile(values: np.ndarray, percentage: float, epsilon: float, rng: np.random.Generator) -> int:
    """ε-DP Q-th percentile by report-noisy-max: argmax_v q(v) + Exp(scale 2/ε); ties keep the smaller v; 0 if empty."""
    scores = percentile_quality_scores(values, percentage)
    if scores.size == 0:
        return 0
    noisy = scores + rng.exponential(scale=2.0 / epsilon, size=scores.size)
    return int(np.argmax(noisy))
