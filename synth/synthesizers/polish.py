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

A marginal may read *features* of columns instead of the columns (``luts``: per slot, the category of each code
of its column), e.g. "value v is in the record's value set" of a condensed multi-value column, so one column
feeds several slots of one marginal and two of its values may share a cell. Its cell is then
``sum_j lut_j[codes[col_j]] * stride_j``; a candidate is scored by substituting it in every slot of the edited
column, and a marginal whose cell does not change adds nothing. Such marginals are scored once per distinct
cell a record can reach and spread to the candidates by a 0/1 matrix product.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

#: Records scored per chunk (against the same counts). A cell can receive or lose about ``accept * CHUNK`` times
#: its share of the records at once, so the chunk is a number of records, not a share of them: with 1/32 of the
#: CTDC file's 21,000 records per chunk, a cell holding a third of them could move by about 40 records at once,
#: 4 noise SDs at epsilon 12, and the 2-way cells stopped at 0.76 inside their intervals (0.90 with 64 records).
CHUNK = 64
#: Candidate values scored per chunk for a column with more values (a random subset, redrawn per chunk).
MAX_CANDIDATES = 16


class Weighted(Protocol):
    """A marginal as :class:`synth.synthesizers.gum.Marginal` holds it (cells flat in C order). Its ``j``-th
    category is ``luts[j][codes[columns[j]]]`` (a feature of one column, e.g. "value v is in the record's value
    set" of a condensed multi-value column), or the column's code itself where ``luts`` is None."""

    columns: tuple[int, ...]
    shape: tuple[int, ...]
    target: np.ndarray
    weight: np.ndarray
    unpublished: np.ndarray
    luts: tuple[np.ndarray, ...] | None


def _strides(shape: tuple[int, ...]) -> np.ndarray:
    return np.cumprod((*shape[1:], 1)[::-1])[::-1].astype(np.int64)


def _slot_luts(marginal: Weighted, sizes: np.ndarray) -> list[np.ndarray]:
    """Per slot of ``marginal``, its category for each code of the slot's column (identity without luts)."""
    if marginal.luts is not None:
        return [np.asarray(lut, np.int64) for lut in marginal.luts]
    return [np.arange(int(sizes[c]), dtype=np.int64) for c in marginal.columns]


@dataclass
class _Features:
    """The features the marginals read: feature c < m is column c itself, feature m + i is
    ``lut[at[i] + codes[column[i]]]``; ``slots[k]`` are marginal k's features."""

    column: np.ndarray  # (features - m,) the column each extra feature reads
    lut: np.ndarray  # flat lookup tables of the extra features
    at: np.ndarray  # (features - m,) where each table starts in ``lut``
    slots: list[tuple[int, ...]]

    def of(self, by_column: np.ndarray) -> np.ndarray:
        """(features, records) feature values of records given column by column (``codes[rows].T``)."""
        if self.column.size == 0:
            return by_column
        return np.concatenate([by_column, self.lut[self.at[:, None] + by_column[self.column]]])


def _features(marginals: Sequence[Weighted], sizes: np.ndarray) -> _Features:
    """Distinct features of the marginals' slots (a lookup table equal to the identity is the column itself)."""
    m = sizes.size
    index: dict[tuple[int, bytes], int] = {}
    column: list[int] = []
    tables: list[np.ndarray] = []
    slots = []
    for mg in marginals:
        ids = []
        for c, lut in zip(mg.columns, _slot_luts(mg, sizes), strict=True):
            if lut.size == sizes[c] and (lut == np.arange(lut.size)).all():
                ids.append(c)
                continue
            key = (c, lut.tobytes())
            if key not in index:
                index[key] = m + len(column)
                column.append(c)
                tables.append(lut)
            ids.append(index[key])
        slots.append(tuple(ids))
    at = np.cumsum([0] + [t.size for t in tables[:-1]]).astype(np.int64) if tables else np.zeros(0, np.int64)
    flat = np.concatenate(tables) if tables else np.zeros(0, np.int64)
    return _Features(np.array(column, np.int64), flat, at, slots)


@dataclass
class _Column:
    """The marginals holding one column (through any of their features), laid out for vectorised scoring: a
    record's cell in marginal k is ``offsets[k] + sum_j features[columns[k, j]] * strides[k, j]`` in the flat
    arrays (short marginals padded with stride 0), and the column's value v contributes ``shift[k, v]`` to it
    (summed over the slots whose feature reads the column). ``merging`` are the marginals in which two values
    of the column can share a cell (a feature that is not one-to-one, such as "v is in the set"), ``plain`` the
    others; the merging ones are scored per distinct shift (``owner``, ``distinct``: which merging marginal and
    which shift; ``onehot``: whether a value has that shift; ``stay``: which of them a value has), a few cells
    instead of one per candidate."""

    columns: np.ndarray  # (k, 3) feature ids
    strides: np.ndarray  # (k, 3)
    offsets: np.ndarray  # (k,)
    shift: np.ndarray  # (k, values of the column)
    merging: np.ndarray  # indices into k
    plain: np.ndarray  # indices into k
    owner: np.ndarray  # (p,) indices into merging
    distinct: np.ndarray  # (p,)
    onehot: np.ndarray  # (values of the column, p) float 0/1
    stay: np.ndarray  # (merging, values of the column) indices into p

    def cells(self, by_feature: np.ndarray) -> np.ndarray:
        """(k, records) flat cell indices of records given feature by feature (see :meth:`_Features.of`)."""
        out = np.repeat(self.offsets[:, None], by_feature.shape[1], axis=1)
        for j in range(self.columns.shape[1]):
            out += by_feature[self.columns[:, j]] * self.strides[:, j, None]
        return out


def _layout(
    marginals: Sequence[Weighted], sizes: np.ndarray
) -> tuple[_Features, list[_Column], np.ndarray, np.ndarray, np.ndarray]:
    """The features; per column its :class:`_Column`; the flat targets, weights and unpublished masks of all
    marginals."""
    m = sizes.size
    features = _features(marginals, sizes)
    reads = np.concatenate([np.arange(m), features.column])  # the column each feature reads
    offsets = np.concatenate([[0], np.cumsum([mg.target.size for mg in marginals])[:-1]]).astype(np.int64)
    width = max((len(mg.columns) for mg in marginals), default=1)
    out = []
    for c in range(m):
        holding = [k for k, mg in enumerate(marginals) if c in mg.columns]
        columns = np.full((len(holding), width), c, np.int64)
        strides = np.zeros((len(holding), width), np.int64)
        shift = np.zeros((len(holding), int(sizes[c])), np.int64)
        for row, k in enumerate(holding):
            mg, slots = marginals[k], features.slots[k]
            st = _strides(mg.shape)
            columns[row, : len(slots)] = slots
            strides[row, : len(slots)] = st
            for j, lut in enumerate(_slot_luts(mg, sizes)):
                if reads[slots[j]] == c:
                    shift[row] += lut * st[j]
        merges = np.array([np.unique(row).size < row.size for row in shift], bool)
        distinct = [np.unique(row) for row in shift[merges]]
        owner = np.repeat(np.arange(len(distinct)), [d.size for d in distinct]).astype(np.int64)
        flat = np.concatenate(distinct) if distinct else np.zeros(0, np.int64)
        onehot = np.ascontiguousarray((shift[merges][owner] == flat[:, None]).T, dtype=float)
        starts = np.cumsum([0] + [d.size for d in distinct])[:-1].astype(np.int64)
        stay = np.array(
            [start + np.searchsorted(d, row) for start, d, row in zip(starts, distinct, shift[merges], strict=True)],
            np.int64,
        ).reshape(len(distinct), int(sizes[c]))
        out.append(
            _Column(
                columns,
                strides,
                offsets[holding],
                shift,
                np.flatnonzero(merges),
                np.flatnonzero(~merges),
                owner,
                flat,
                onehot,
                stay,
            )
        )
    target = np.concatenate([mg.target for mg in marginals]).astype(float)
    weight = np.concatenate([mg.weight for mg in marginals]).astype(float)
    return features, out, target, weight, np.concatenate([mg.unpublished for mg in marginals])


def _counts(codes: np.ndarray, marginal: Weighted, sizes: np.ndarray) -> np.ndarray:
    cells = np.zeros(codes.shape[0], np.int64)
    luts = _slot_luts(marginal, sizes)
    for c, s, lut in zip(marginal.columns, _strides(marginal.shape), luts, strict=True):
        cells += lut[codes[:, c]] * s
    return np.bincount(cells, minlength=marginal.target.size).astype(float)


@dataclass
class _Objective:
    """Per flat cell: count minus target (``error``), weight, the extra cost of a first record in an
    unpublished cell (None: none), and the objective's change of one record more (``up``) and one record less
    (``down``), kept up to date by :meth:`refresh`."""

    error: np.ndarray
    weight: np.ndarray
    cost: np.ndarray | None
    up: np.ndarray
    down: np.ndarray

    @classmethod
    def start(cls, error: np.ndarray, weight: np.ndarray, cost: np.ndarray | None) -> _Objective:
        out = cls(error, weight, cost, np.empty_like(error), np.empty_like(error))
        out.refresh(slice(None))
        return out

    def value(self) -> float:
        """The objective: noise-weighted squared error plus the cost of the unpublished cells holding records."""
        out = float(self.weight @ self.error**2)
        if self.cost is not None:
            out += float(self.cost @ (self.error > 0))
        return out

    def refresh(self, cells: np.ndarray | slice) -> None:
        """Recompute ``up`` and ``down`` of ``cells`` from their errors."""
        error, weight = self.error[cells], self.weight[cells]
        self.up[cells] = weight * (2 * error + 1)
        self.down[cells] = weight * (1 - 2 * error)
        if self.cost is not None:  # an unpublished cell's target is 0, so its error is its count
            self.up[cells] += self.cost[cells] * (error == 0)
            self.down[cells] -= self.cost[cells] * (error == 1)


def polish(
    codes: np.ndarray,
    marginals: Sequence[Weighted],
    sizes: np.ndarray,
    rng: np.random.Generator,
    sweeps: int,
    accept: float,
    unpublished_cost: float = 0.0,
    after_sweep: Callable[[int], None] | None = None,
    min_gain: float = 0.0,
) -> int:
    """Up to ``sweeps`` passes of coordinate descent over every column (``codes`` edited in place, categories
    ``0..sizes[c]-1``), calling ``after_sweep`` with the number of sweeps done (``sweeps`` when it stops early);
    returns the number of cells changed. It stops after a sweep that lowers the objective by less than
    ``min_gain`` of its value before the sweep: the records are then as close to the tables as small edits get
    them, and further sweeps mostly fit the noise of small cells (docs/benchmarks.md, issue 9, session 6).

    A record's last value is never removed (the last category of a column is "absent"): no published count holds
    the empty record, and removing the only value of a sparse record is the cheapest edit there is (its 3-way
    cells are all free), so the polish would otherwise make empty records up (on the sample, 20,000 victims,
    epsilon 4: 1 before the polish, 55 after, against the input's 26; 12 with this rule)."""
    n, m = codes.shape
    if n == 0 or not marginals:
        return 0
    features, layout, target, weight, unpublished = _layout(marginals, sizes)
    cost = unpublished * float(unpublished_cost) if unpublished_cost and unpublished.any() else None
    error = np.concatenate([_counts(codes, mg, sizes) for mg in marginals]) - target
    objective = _Objective.start(error, weight, cost)
    absent = np.asarray(sizes, np.int64) - 1
    before = objective.value()
    changed = 0
    for sweep in range(sweeps):
        for c in rng.permutation(m):
            if sizes[c] < 2:
                continue
            order = rng.permutation(n)
            for start in range(0, n, CHUNK):
                rows = order[start : start + CHUNK]
                changed += _polish_chunk(
                    codes, rows, int(c), features, layout[c], objective, int(sizes[c]), absent, rng, accept
                )
        after = objective.value()
        gain = 1 - after / before if before > 0 else 0.0  # nothing left to gain at 0
        logger.debug("polish sweep %d: objective %.1f (%.1f %% lower)", sweep + 1, after, 100 * gain)
        converged = min_gain > 0 and gain < min_gain
        before = after
        if after_sweep is not None:
            after_sweep(sweeps if converged else sweep + 1)
        if converged:
            break
    return changed


def _polish_chunk(
    codes: np.ndarray,
    rows: np.ndarray,
    c: int,
    features: _Features,
    col: _Column,
    objective: _Objective,
    size: int,
    absent: np.ndarray,
    rng: np.random.Generator,
    accept: float,
) -> int:
    """Score every candidate value of column ``c`` for ``rows`` and apply the accepted improvements (keeping
    ``objective`` up to date); ``absent``: each column's absent category."""
    old = codes[rows, c]
    by_column = np.ascontiguousarray(codes[rows].T)
    cell = col.cells(features.of(by_column))  # (k, rows)
    base = cell - col.shift[:, old]
    # Records whose only value is this column's: it may change but not become absent (see polish()).
    last = (old != size - 1) & ((by_column != absent[:, None]).sum(axis=0) == 1)
    if size == 2 and col.merging.size == 0:  # a binary column: only the other value is scored
        value = 1 - old
        delta = objective.up[base + col.shift[:, value]].sum(axis=0)
        delta += objective.down[np.ascontiguousarray(cell.T)].sum(axis=1)
        delta[last] = np.inf
        take = np.flatnonzero((delta < 0) & (rng.random(rows.size) < accept))
        value = value[take]
    else:
        candidates = np.arange(size) if size <= MAX_CANDIDATES else rng.choice(size, MAX_CANDIDATES, replace=False)
        scores = _delta(cell, base, old, candidates, col, objective)
        scores[np.ix_(last, candidates == size - 1)] = np.inf
        best = np.argmin(scores, axis=1)
        take = np.flatnonzero((scores[np.arange(rows.size), best] < 0) & (rng.random(rows.size) < accept))
        value = candidates[best[take]]
    if take.size == 0:
        return 0
    left, entered = cell[:, take].ravel(), (base[:, take] + col.shift[:, value]).ravel()
    np.subtract.at(objective.error, left, 1.0)
    np.add.at(objective.error, entered, 1.0)
    objective.refresh(np.concatenate([left, entered]))
    codes[rows[take], c] = value
    return int(take.size)


def _merged_delta(
    cell: np.ndarray, base: np.ndarray, old: np.ndarray, candidates: np.ndarray, col: _Column, objective: _Objective
) -> np.ndarray:
    """(rows, candidates) change of the objective, summed over the merging marginals (``cell``, ``base``: their
    rows of the chunk's cells and cells without the column), of giving each record each candidate value. Each
    marginal is scored once per distinct cell its record can reach; a cell it stays in adds 0."""
    change = objective.up[base[col.owner] + col.distinct[:, None]]  # (p, rows)
    change += objective.down[cell][col.owner]
    change[col.stay[:, old], np.arange(old.size)] = 0.0  # the cell each marginal's record is in now
    return (col.onehot[candidates] @ change).T


def _delta(
    cell: np.ndarray, base: np.ndarray, old: np.ndarray, candidates: np.ndarray, col: _Column, objective: _Objective
) -> np.ndarray:
    """(rows, candidates) change of the objective of giving each record (current value ``old``; ``cell``, its
    cells, and ``base``, its cells without the column, both (k, rows)) each candidate value; 0 for its own."""
    # The plain marginals: one cell per candidate (without merging ones, all marginals, arrays as they are).
    plain, plain_base, shift = cell, base, col.shift
    if col.merging.size:
        plain, plain_base, shift = cell[col.plain], base[col.plain], col.shift[col.plain]
    new = plain_base[:, :, None] + shift[:, candidates][:, None, :]  # (k, rows, candidates)
    delta = objective.up[new].sum(axis=0)
    delta += objective.down[np.ascontiguousarray(plain.T)].sum(axis=1)[:, None]
    if col.merging.size:
        delta += _merged_delta(cell[col.merging], base[col.merging], old, candidates, col, objective)
    delta[candidates[None, :] == old[:, None]] = 0.0
    return delta
