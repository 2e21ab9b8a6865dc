"""DP percentile of per-record contribution counts over a public range (the contribution caps Δ_l, issue 8).

SDS (§4.4) picks Δ_l among 0..max(contribution), a range set by the private data, so its percentile is not
DP. Here the candidates of length l are a fixed grid over [0, C_l] computed from public information only:

- W_max (:func:`max_attributes`), the most attributes one subject can hold: 1 per single-value source
  column plus m_c per multi-value source column c (the public maximum that ingest enforces);
- C_l = C(W_max, l) (:func:`contribution_bound`), the most l-combinations one subject can hold;
- the grid (:func:`candidate_grid`): 0..20, then ceil(20·1.05^k) for k = 1, 2, ... below C_l, then C_l.

The output is drawn by the exponential mechanism with a sensitivity-1 utility and a public base measure that
prefers small caps (:func:`percentile_distribution`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np

#: The grid holds every integer 0..GRID_DENSE, then steps of GRID_RATIO.
GRID_DENSE = 20
GRID_RATIO = 1.05
#: Exponent γ of the public base measure μ(v) ∝ max(v, 1)^(-γ). Above the largest contribution every candidate
#: has the same utility, so on small data (or at small ε) a flat base measure lets the many geometric grid
#: points there draw the cap far above the percentile; this prior pulls it back at the cost of capping a
#: little more (measured in docs/privacy.md: with γ = 2 at most 1 % of contributions dropped).
PRIOR_EXPONENT = 2.0
#: C_l is clipped here: a per-record count of combinations (an int64 in memory) never comes near it.
MAX_BOUND = 2**62


def max_attributes(columns: Iterable[str], max_values: Mapping[str, int]) -> int:
    """W_max: 1 per used source column, m_c = ``max_values[c]`` for a multi-value column c (spec and header only)."""
    return sum(max_values.get(column, 1) for column in columns)


def contribution_bound(w_max: int, length: int) -> int:
    """C_l = C(W_max, l): the most l-combinations a subject with at most W_max attributes holds."""
    return min(math.comb(w_max, length), MAX_BOUND)


def candidate_grid(bound: int) -> np.ndarray:
    """The candidate caps over [0, bound]: 0..20, then ceil(20·1.05^k) below ``bound``, then ``bound`` (sorted)."""
    grid = list(range(min(bound, GRID_DENSE) + 1))
    k = 1
    while grid[-1] < bound:
        # The 1e-9 keeps a product that is an integer up to rounding error (20·1.05 = 21) from going up by one.
        grid.append(min(math.ceil(GRID_DENSE * GRID_RATIO**k - 1e-9), bound))
        k += 1
    return np.array(grid, dtype=np.int64)


def percentile_distribution(
    values: np.ndarray, percentage: float, epsilon: float, bound: int
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate grid of ``bound`` and the exact log-probability of each output of :func:`dp_percentile`.

    Exponential mechanism: P(v) ∝ μ(v)·exp(ε·u(v)/2) with u(v) = -|#{u : min(s_u, C) <= v} - Q·n/100|, where
    s_u are the ``values`` (one per record, all records), n their number, Q = ``percentage`` and C = ``bound``,
    and μ(v) = max(v, 1)^(-γ) (γ = PRIOR_EXPONENT) a base measure fixed in advance: it does not depend on the
    data, so it cancels in every ratio of output probabilities between neighbours.

    Sensitivity 1 under adding or removing one record: for every v the count changes by b ∈ {0, 1} and
    Q·n/100 by q = Q/100, so the difference inside |·| changes by b - q, and |b - q| <= max(q, 1 - q) <= 1;
    |·| does not increase the change. Hence the mechanism is ε-DP. The grid depends on C only, so the set
    of possible outputs is the same for neighbouring datasets (clipping at C keeps a huge s_u from
    counting differently from s_u = C).
    """
    grid = candidate_grid(bound)
    s = np.sort(np.minimum(np.asarray(values, dtype=np.int64), bound))
    at_or_below = np.searchsorted(s, grid, side="right")
    utility = -np.abs(at_or_below - percentage / 100.0 * s.size)
    logits = utility * (epsilon / 2.0) - PRIOR_EXPONENT * np.log(np.maximum(grid, 1))
    top = logits.max()
    return grid, logits - (top + math.log(np.exp(logits - top).sum()))


def dp_percentile(values: np.ndarray, percentage: float, epsilon: float, bound: int, rng: np.random.Generator) -> int:
    """ε-DP Q-th percentile of ``values`` among the public candidates over [0, ``bound``] (exponential mechanism)."""
    grid, log_p = percentile_distribution(values, percentage, epsilon, bound)
    p = np.exp(log_p)
    return int(rng.choice(grid, p=p / p.sum()))
