"""Record-level coordinate descent on the noise-weighted error of every published marginal (gum's last step).

GUM's marginal-by-marginal editing (:func:`synth.synthesizers.gum.update`) moves *random* records of an excess
cell, so the edit made for one table undoes another's; on the CTDC file it stops far from the published tables
(2-way cells above 1,000 records about 80 records short on average). Here every edit is chosen for its effect on
*all* marginals at once. The objective is

    sum over marginals M and cells x of  w_M(x) * (count_M(x) - target_M(x))**2

with ``w = 1 / sd**2`` (the noise SD of the cell: published, or of a derived sum), ``unpublished_weight / sd_3**2``
on unpublished 3-way value cells (target 0) and 0 on free cells. For one column at a time and a random chunk of
records, the change of the objective of setting each record's cell to each candidate value is computed from the
current counts (moving one record out of cell a and into cell b of M changes it by
``w(b) (2 e(b) + 1) - w(a) (2 e(a) - 1)``, e = count - target); each record takes its best value if that lowers
the objective, with probability ``accept`` (records of a chunk are scored against the same counts, so accepting
all would overshoot). Only published aggregates and noise SDs are read: post-processing.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

#: Records of a chunk as a share of all records (one chunk is scored against the same counts).
CHUNKS = 32
#: Smallest chunk of records.
MIN_CHUNK = 64
#: Candidate values scored per chunk for a column with more values (a random subset, redrawn per chunk).
MAX_CANDIDATES = 16


class Weighted(Protocol):
    """A marginal as :class:`synth.synthesizers.gum.Marginal` holds it (cells flat in C order)."""

    columns: tuple[int, ...]
    shape: tuple[int, ...]
    target: np.ndarray
    weight: np.ndarray


def _strides(shape: tuple[int, ...]) -> np.ndarray:
    return np.cumprod((*shape[1:], 1)[::-1])[::-1].astype(np.int64)


def _cells(codes: np.ndarray, columns: tuple[int, ...], strides: np.ndarray) -> np.ndarray:
    cells = np.zeros(codes.shape[0], np.int64)
    for c, s in zip(columns, strides, strict=True):
        cells += codes[:, c] * s
    return cells


def polish(
    codes: np.ndarray,
    marginals: list[Weighted],
    sizes: np.ndarray,
    rng: np.random.Generator,
    sweeps: int,
    accept: float,
) -> int:
    """``sweeps`` passes of coordinate descent over every column (``codes`` edited in place, categories
    ``0..sizes[c]-1``); returns the number of cells changed."""
    n, m = codes.shape
    strides = [_strides(mg.shape) for mg in marginals]
    counts = [
        np.bincount(_cells(codes, mg.columns, st), minlength=mg.target.size).astype(float)
        for mg, st in zip(marginals, strides, strict=True)
    ]
    holding = [[k for k, mg in enumerate(marginals) if c in mg.columns] for c in range(m)]
    chunk = max(MIN_CHUNK, n // CHUNKS)
    changed = 0
    for _ in range(sweeps):
        for c in rng.permutation(m):
            if sizes[c] < 2:
                continue
            order = rng.permutation(n)
            for start in range(0, n, chunk):
                changed += _polish_chunk(
                    codes,
                    order[start : start + chunk],
                    int(c),
                    marginals,
                    strides,
                    counts,
                    holding[c],
                    int(sizes[c]),
                    rng,
                    accept,
                )
    return changed


def _polish_chunk(
    codes: np.ndarray,
    rows: np.ndarray,
    c: int,
    marginals: list[Weighted],
    strides: list[np.ndarray],
    counts: list[np.ndarray],
    holding: list[int],
    size: int,
    rng: np.random.Generator,
    accept: float,
) -> int:
    """Score every candidate value of column ``c`` for ``rows`` and apply the accepted improvements."""
    candidates = np.arange(size) if size <= MAX_CANDIDATES else rng.choice(size, MAX_CANDIDATES, replace=False)
    old = codes[rows, c]
    delta = np.zeros((rows.size, candidates.size))
    moves = []
    for k in holding:
        mg, st = marginals[k], strides[k]
        stride = st[mg.columns.index(c)]
        cell = _cells(codes[rows], mg.columns, st)
        base = cell - old * stride
        new = base[:, None] + candidates[None, :] * stride
        error, weight = counts[k] - mg.target, mg.weight
        delta += weight[new] * (2 * error[new] + 1)
        delta -= (weight[cell] * (2 * error[cell] - 1))[:, None]
        moves.append((k, cell, base, stride))
    delta[candidates[None, :] == old[:, None]] = 0.0
    best = np.argmin(delta, axis=1)
    take = np.flatnonzero((delta[np.arange(rows.size), best] < 0) & (rng.random(rows.size) < accept))
    if take.size == 0:
        return 0
    value = candidates[best[take]]
    for k, cell, base, stride in moves:
        counts[k] -= np.bincount(cell[take], minlength=counts[k].size)
        counts[k] += np.bincount(base[take] + value * stride, minlength=counts[k].size)
    codes[rows[take], c] = value
    return int(take.size)
