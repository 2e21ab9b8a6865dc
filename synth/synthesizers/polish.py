"""Record-level coordinate descent on the noise-weighted error of every published marginal (gum's last step).

GUM's marginal-by-marginal editing (:func:`synth.synthesizers.gum.update`) moves *random* records of an excess
cell, so the edit made for one table undoes another's; on the CTDC file it stops far from the published tables
(2-way cells above 1,000 records about 80 records short on average). Here every edit is chosen for its effect on
*all* marginals at once. The objective is

    sum over marginals M and cells x of  w_M(x) * (count_M(x) - target_M(x))**2

with ``w = 1 / sd**2`` (the noise SD of the cell: published, or of a derived sum; unpublished 3-way value cells
target 0 with the 3-way SD) and 0 on free cells, plus ``unpublished_cost`` for each unpublished 3-way value cell
that holds a record (a fabricated 3-combination). For one column at a time and a random chunk of
records, the change of the objective of setting each record's cell to each candidate value is computed from the
current counts (moving one record out of cell a and into cell b of M changes it by
``w(b) (2 e(b) + 1) - w(a) (2 e(a) - 1)``, e = count - target); each record takes its best value if that lowers
the objective, with probability ``accept`` (records of a chunk are scored against the same counts, so accepting
all would overshoot). Only published aggregates and noise SDs are read: post-processing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
    unpublished: np.ndarray


def _strides(shape: tuple[int, ...]) -> np.ndarray:
    return np.cumprod((*shape[1:], 1)[::-1])[::-1].astype(np.int64)


@dataclass
class _Column:
    """The marginals holding one column, laid out for vectorised scoring: a record's cell in marginal k is
    ``offsets[k] + sum_j codes[columns[k, j]] * strides[k, j]`` in the flat arrays (short marginals padded with
    stride 0), and changing the column's value by 1 moves it by ``step[k]``."""

    columns: np.ndarray  # (k, 3)
    strides: np.ndarray  # (k, 3)
    offsets: np.ndarray  # (k,)
    step: np.ndarray  # (k,)

    def cells(self, by_column: np.ndarray) -> np.ndarray:
        """(k, records) flat cell indices of records given column by column (``codes[rows].T``, contiguous)."""
        out = np.repeat(self.offsets[:, None], by_column.shape[1], axis=1)
        for j in range(self.columns.shape[1]):
            out += by_column[self.columns[:, j]] * self.strides[:, j, None]
        return out


def _layout(marginals: Sequence[Weighted], m: int) -> tuple[list[_Column], np.ndarray, np.ndarray, np.ndarray]:
    """Per column its :class:`_Column`; the flat targets, weights and unpublished masks of all marginals."""
    sizes = [mg.target.size for mg in marginals]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    width = max((len(mg.columns) for mg in marginals), default=1)
    out = []
    for c in range(m):
        holding = [k for k, mg in enumerate(marginals) if c in mg.columns]
        columns = np.full((len(holding), width), c, np.int64)
        strides = np.zeros((len(holding), width), np.int64)
        step = np.zeros(len(holding), np.int64)
        for row, k in enumerate(holding):
            mg = marginals[k]
            st = _strides(mg.shape)
            columns[row, : len(mg.columns)] = mg.columns
            strides[row, : len(mg.columns)] = st
            step[row] = st[mg.columns.index(c)]
        out.append(_Column(columns, strides, offsets[holding], step))
    target = np.concatenate([mg.target for mg in marginals]).astype(float)
    weight = np.concatenate([mg.weight for mg in marginals]).astype(float)
    return out, target, weight, np.concatenate([mg.unpublished for mg in marginals])


def _counts(codes: np.ndarray, marginal: Weighted) -> np.ndarray:
    cells = np.zeros(codes.shape[0], np.int64)
    for c, s in zip(marginal.columns, _strides(marginal.shape), strict=True):
        cells += codes[:, c] * s
    return np.bincount(cells, minlength=marginal.target.size).astype(float)


def polish(
    codes: np.ndarray,
    marginals: Sequence[Weighted],
    sizes: np.ndarray,
    rng: np.random.Generator,
    sweeps: int,
    accept: float,
    unpublished_cost: float = 0.0,
) -> int:
    """``sweeps`` passes of coordinate descent over every column (``codes`` edited in place, categories
    ``0..sizes[c]-1``); returns the number of cells changed."""
    n, m = codes.shape
    if n == 0 or not marginals:
        return 0
    layout, target, weight, unpublished = _layout(marginals, m)
    cost = unpublished * float(unpublished_cost) if unpublished_cost and unpublished.any() else None
    error = np.concatenate([_counts(codes, mg) for mg in marginals]) - target
    gain = weight * (2 * error + 1)
    chunk = max(MIN_CHUNK, n // CHUNKS)
    changed = 0
    for _ in range(sweeps):
        for c in rng.permutation(m):
            if sizes[c] < 2:
                continue
            order = rng.permutation(n)
            for start in range(0, n, chunk):
                rows = order[start : start + chunk]
                changed += _polish_chunk(
                    codes, rows, int(c), layout[c], error, gain, weight, cost, int(sizes[c]), rng, accept
                )
    return changed


def _polish_chunk(
    codes: np.ndarray,
    rows: np.ndarray,
    c: int,
    col: _Column,
    error: np.ndarray,
    gain: np.ndarray,
    weight: np.ndarray,
    cost: np.ndarray | None,
    size: int,
    rng: np.random.Generator,
    accept: float,
) -> int:
    """Score every candidate value of column ``c`` for ``rows`` and apply the accepted improvements (``error``,
    count minus target per flat cell, and ``gain``, the objective's change for one more record in the cell,
    ``weight * (2 * error + 1)``, kept up to date)."""
    candidates = np.arange(size) if size <= MAX_CANDIDATES else rng.choice(size, MAX_CANDIDATES, replace=False)
    old = codes[rows, c]
    # Marginals first (k, rows, candidates): the sums over marginals add contiguous blocks, in marginal order.
    cell = col.cells(np.ascontiguousarray(codes[rows].T))  # (k, rows)
    base = cell - old[None, :] * col.step[:, None]
    new = base[:, :, None] + candidates[None, None, :] * col.step[:, None, None]  # (k, rows, candidates)
    delta = gain[new].sum(axis=0)
    leaving = np.ascontiguousarray(cell.T)  # (rows, k)
    delta -= (weight[leaving] * (2 * error[leaving] - 1)).sum(axis=1)[:, None]
    if cost is not None:  # an unpublished cell's target is 0, so its error is its count
        delta += (cost[new] * (error[new] == 0)).sum(axis=0)
        delta -= (cost[leaving] * (error[leaving] == 1)).sum(axis=1)[:, None]
    delta[candidates[None, :] == old[:, None]] = 0.0
    best = np.argmin(delta, axis=1)
    take = np.flatnonzero((delta[np.arange(rows.size), best] < 0) & (rng.random(rows.size) < accept))
    if take.size == 0:
        return 0
    value = candidates[best[take]]
    left, entered = cell[:, take].ravel(), (base[:, take] + value[None, :] * col.step[:, None]).ravel()
    np.subtract.at(error, left, 1.0)
    np.add.at(error, entered, 1.0)
    touched = np.concatenate([left, entered])
    gain[touched] = weight[touched] * (2 * error[touched] + 1)
    codes[rows[take], c] = value
    return int(take.size)
