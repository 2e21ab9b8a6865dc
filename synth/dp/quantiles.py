"""DP quantile bin edges of a numeric column (binning method ``quantile``, :mod:`synth.ingest.binning`).

The inner edges are DP estimates of equally spaced quantiles of the column's values (one per subject); they
spend the column's ``epsilon``, which a refresh adds to the epsilon of the release.
"""

from __future__ import annotations

import numpy as np

from synth.spec import BinSpec


def dp_quantiles(
    values: np.ndarray, quantiles: list[float], lower: float, upper: float, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """Sorted DP estimates of ``quantiles`` of ``values`` (one value per subject), epsilon-DP in total.

    Exponential mechanism over [lower, upper] (Smith 2011): values are clipped, sorted and bracketed by the
    bounds; the gap between ranks i and i+1 is picked with probability proportional to
    ``width * exp(-eps_q * |i - q n| / 2)`` (utility sensitivity 1), then a point uniformly inside it. The
    budget is split equally: each quantile spends ``epsilon / len(quantiles)`` (basic composition).
    """
    z = np.concatenate([[lower], np.sort(np.clip(np.asarray(values, float), lower, upper)), [upper]])
    widths = np.diff(z)
    ranks = np.arange(widths.size)
    eps_each = epsilon / len(quantiles)
    out = []
    for q in quantiles:
        with np.errstate(divide="ignore"):
            log_w = np.log(widths) - eps_each * np.abs(ranks - q * (z.size - 2)) / 2
        p = np.exp(log_w - log_w.max())
        i = rng.choice(widths.size, p=p / p.sum())
        out.append(rng.uniform(z[i], z[i + 1]))
    return np.sort(np.array(out))


def quantile_edges(bins: BinSpec, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Edges of a quantile-binned column: ``lower``, the ``bins - 1`` DP quantiles, ``upper``."""
    lower, upper, n_bins = bins.interval()
    inner = dp_quantiles(values, [j / n_bins for j in range(1, n_bins)], lower, upper, bins.epsilon, rng)
    return np.concatenate([[lower], inner, [upper]])
