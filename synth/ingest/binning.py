"""Binning numeric columns (step 5 of :mod:`synth.ingest`): edges from the spec, equal-width edges or DP
quantiles (:mod:`synth.dp.quantiles`), the bin of every value and the interval labels."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from synth.dp.quantiles import quantile_edges
from synth.errors import InputError
from synth.spec import BinSpec


def numeric_values(
    codes: np.ndarray, uniques: np.ndarray, rows: np.ndarray, column: str, bins: BinSpec, file: str
) -> np.ndarray:
    """The distinct values of a binned column as finite numbers (inside the edges for method "edges")."""
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers)
    problem = "{!r} is not a number (the column is binned)"
    if not bad.any() and bins.method == "edges":
        lo, hi = bins.edges[0], bins.edges[-1]
        bad = (numbers < lo) | (numbers > hi)
        problem = f"{{}} is outside the bin edges [{lo:g}, {hi:g}] (add an edge, e.g. inf)"
    if bad.any():
        first = int(np.flatnonzero(bad[np.maximum(codes, 0)] & (codes >= 0))[0])
        raise InputError(problem.format(uniques[codes[first]]), file=file, row=int(rows[first]), column=column)
    return numbers


def interval_labels(edges: np.ndarray) -> tuple[str, ...]:
    """ "[lo, hi)" labels; the last bin is closed, "[lo, hi]"."""
    last = len(edges) - 2
    return tuple(f"[{a:g}, {b:g}{']' if i == last else ')'}" for i, (a, b) in enumerate(pairwise(edges)))


def bin_edges(bins: BinSpec, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The edges of one binned column; ``values`` (one per subject) are used only by DP quantiles."""
    if bins.method == "edges":
        return np.array(bins.edges, dtype=float)
    if bins.method == "equal_width":
        lower, upper, n_bins = bins.interval()
        return np.linspace(lower, upper, n_bins + 1)
    return quantile_edges(bins, values, rng)


def assign_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value: [lo, hi) bins, the last closed; values outside the edges are clipped in."""
    clipped = np.clip(values, edges[0], edges[-1])
    return np.minimum(np.searchsorted(edges, clipped, side="right") - 1, len(edges) - 2)
