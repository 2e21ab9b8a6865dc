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
column, and a marginal whose cell does not change adds nothing.

The passes are compiled (numba): a record's scoring is a loop over the marginals holding the column and its
candidate values, and the numpy version of the same chunks spent most of its time building the index arrays
of each chunk (CTDC file, epsilon 4: 26 of the gum's 32 seconds in the polish; docs/benchmarks.md, issue 9,
session 7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numba import njit

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
        """(features, records) feature values of records given column by column (``codes.T``)."""
        if self.column.size == 0:
            return by_column
        return np.concatenate([by_column, self.lut[self.at[:, None] + by_column[self.column]]])

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays as the compiled functions take them."""
        return (self.column, self.lut, self.at)


def _slot_frees(marginal: Weighted) -> list[np.ndarray]:
    """Per slot of ``marginal``, per category: whether every cell holding it is outside the objective (weight 0
    and published, or not a value cell)."""
    outside = ((marginal.weight == 0) & ~marginal.unpublished).reshape(marginal.shape)
    axes = range(len(marginal.shape))
    return [outside.all(axis=tuple(a for a in axes if a != j)) for j in axes]


def _features(marginals: Sequence[Weighted], sizes: np.ndarray, luts: Sequence[list[np.ndarray]]) -> _Features:
    """Distinct features of the marginals' slots (``luts``: :func:`_slot_luts` of each; a lookup table equal to
    the identity is the column itself)."""
    m = sizes.size
    index: dict[tuple[int, bytes], int] = {}
    column: list[int] = []
    tables: list[np.ndarray] = []
    slots = []
    for mg, slot_luts in zip(marginals, luts, strict=True):
        ids = []
        for c, lut in zip(mg.columns, slot_luts, strict=True):
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
    """The marginals holding one column (through any of their features), laid out for the compiled scoring: a
    record's cell in marginal k is ``offsets[k] + sum_j features[columns[k, j]] * strides[k, j]`` in the flat
    arrays (short marginals padded with stride 0), and the column's value v contributes ``shift[k, v]`` to it
    (summed over the slots whose feature reads the column). Two values of the column may share a cell of a
    marginal (a feature that is not one-to-one, such as "v is in the set"): that marginal then does not change.
    ``free[free_at[k, j] + category]`` tells whether a category of slot j, which reads another column, puts
    every cell holding it outside the objective (weight 0 and published or not a value cell, such as a 3-way
    cell with an absent column): a record in such a category adds nothing whatever its value of the column, so
    it is not scored there (a slot that reads the column, or padding, points to a block that is never free).
    The marginals are sorted into groups that share a lead slot reading another column (``lead``, -1: none; the
    one whose free categories hold the most records, see :func:`_layout`) and its ``free`` table, so a sparse
    record skips a whole group at once (``group_end``: where the group of k ends). ``columns``, ``strides``,
    ``free_at`` and ``offsets`` are kept side by side, one row per marginal (``packed``), as the compiled
    scoring reads them together (13 % faster than four arrays on the CTDC file)."""

    packed: np.ndarray  # (k, 3 * width + 1): per marginal its columns, strides, free_at (width each), offset
    shift: np.ndarray  # (k, values of the column)
    free: np.ndarray  # flat bool per category of the slots reading other columns
    lead: np.ndarray  # (k,) slot index
    group_end: np.ndarray  # (k,)

    @property
    def width(self) -> int:
        return (self.packed.shape[1] - 1) // 3

    @property
    def columns(self) -> np.ndarray:
        """(k, width) feature ids."""
        return self.packed[:, : self.width]

    @property
    def strides(self) -> np.ndarray:
        return self.packed[:, self.width : 2 * self.width]

    @property
    def free_at(self) -> np.ndarray:
        return self.packed[:, 2 * self.width : 3 * self.width]

    @property
    def offsets(self) -> np.ndarray:
        return self.packed[:, 3 * self.width]

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays as the compiled functions take them."""
        return (self.packed, self.shift, self.free, self.lead, self.group_end)


def _offsets(marginals: Sequence[Weighted]) -> np.ndarray:
    """Where each marginal's cells start in the flat arrays."""
    return np.concatenate([[0], np.cumsum([mg.target.size for mg in marginals])[:-1]]).astype(np.int64)


def _layout(
    marginals: Sequence[Weighted], sizes: np.ndarray, codes: np.ndarray | None = None
) -> tuple[_Features, list[_Column], np.ndarray, np.ndarray, np.ndarray]:
    """The features; per column its :class:`_Column`; the flat targets, weights and unpublished masks of all
    marginals. With ``codes``, a marginal's lead slot is the one whose free categories hold most of these
    records (the group test then skips the most), else its first slot reading another column."""
    m = sizes.size
    luts = [_slot_luts(mg, sizes) for mg in marginals]
    features = _features(marginals, sizes, luts)
    # A slot that reads the column, or padding, reads a block of False as long as the longest feature: so the
    # compiled loop tests every slot alike.
    never_free = np.zeros(int(max(sizes.max(), features.lut.max(initial=0) + 1)), bool)
    shares = np.zeros((m + features.column.size, never_free.size))  # per feature, the records' share per category
    if codes is not None and codes.shape[0] > 0:
        for f, values in enumerate(features.of(np.ascontiguousarray(codes.T))):
            shares[f] = np.bincount(values, minlength=never_free.size) / values.size
    reads = np.concatenate([np.arange(m), features.column])  # the column each feature reads
    offsets = _offsets(marginals)
    strides_of = [_strides(mg.shape) for mg in marginals]
    frees = [_slot_frees(mg) for mg in marginals]
    # per marginal and slot, the share of the records in a free category of the slot
    skipped = [
        [float(shares[f, : t.size] @ t) for f, t in zip(fs, ts, strict=True)]
        for fs, ts in zip(features.slots, frees, strict=True)
    ]
    holding_of: list[list[int]] = [[] for _ in range(m)]
    for k, mg in enumerate(marginals):
        for c in sorted(set(mg.columns)):
            holding_of[c].append(k)
    width = max((len(mg.columns) for mg in marginals), default=1)
    out = []
    for c in range(m):
        holding = holding_of[c]
        columns = np.full((len(holding), width), c, np.int64)
        strides = np.zeros((len(holding), width), np.int64)
        shift = np.zeros((len(holding), int(sizes[c])), np.int64)
        free_at = np.full((len(holding), width), -1, np.int64)
        lead = np.full(len(holding), -1, np.int64)
        free: list[np.ndarray] = []
        keys: list[tuple[int, bytes]] = []
        at = 0
        for row, k in enumerate(holding):
            mg, slots, st = marginals[k], features.slots[k], strides_of[k]
            columns[row, : len(slots)] = slots
            strides[row, : len(slots)] = st
            keys.append((-1, b""))
            best = -1.0
            for j, lut in enumerate(luts[k]):
                if reads[slots[j]] == c:
                    shift[row] += lut * st[j]
                    continue
                free.append(frees[k][j])
                free_at[row, j] = at
                at += mg.shape[j]
                if skipped[k][j] > best:
                    best = skipped[k][j]
                    lead[row] = j
                    keys[row] = (slots[j], free[-1].tobytes())
        order = sorted(range(len(holding)), key=keys.__getitem__)
        ends = np.zeros(len(holding), np.int64)
        for i in range(len(order) - 1, -1, -1):
            last = i == len(order) - 1 or keys[order[i]] != keys[order[i + 1]]
            ends[i] = i + 1 if last else ends[i + 1]
        free_at[free_at < 0] = at
        flat = np.concatenate([*free, never_free])
        index = np.array(order, np.int64)
        packed = np.concatenate([columns, strides, free_at, offsets[holding][:, None]], axis=1)[index]
        out.append(_Column(packed, shift[index], flat, lead[index], ends))
    target = np.concatenate([mg.target for mg in marginals]).astype(float)
    weight = np.concatenate([mg.weight for mg in marginals]).astype(float)
    return features, out, target, weight, np.concatenate([mg.unpublished for mg in marginals])


def _counts(codes: np.ndarray, marginals: Sequence[Weighted], features: _Features) -> np.ndarray:
    """The records' counts in every cell of every marginal, flat (marginal after marginal, as :func:`_layout`)."""
    width = max(len(mg.columns) for mg in marginals)
    slots = np.zeros((len(marginals), width), np.int64)
    strides = np.zeros((len(marginals), width), np.int64)
    for k, mg in enumerate(marginals):
        slots[k, : len(mg.columns)] = features.slots[k]
        strides[k, : len(mg.columns)] = _strides(mg.shape)
    by_feature = features.of(np.ascontiguousarray(codes.T))
    return _count_cells(by_feature, slots, strides, _offsets(marginals), sum(mg.target.size for mg in marginals))


@njit(cache=True)
def _count_cells(
    by_feature: np.ndarray, slots: np.ndarray, strides: np.ndarray, offsets: np.ndarray, size: int
) -> np.ndarray:
    """Counts of records (``by_feature``: feature by feature) in the flat cells of the marginals whose cell is
    ``offsets[k] + sum_j by_feature[slots[k, j]] * strides[k, j]``."""
    out = np.zeros(size)
    width = slots.shape[1]
    for k in range(slots.shape[0]):
        if width == 3:  # written out: the loop over slots inside the loop over records took twice as long
            a, b, c = by_feature[slots[k, 0]], by_feature[slots[k, 1]], by_feature[slots[k, 2]]
            sa, sb, sc, offset = strides[k, 0], strides[k, 1], strides[k, 2], offsets[k]
            for r in range(a.size):
                out[offset + a[r] * sa + b[r] * sb + c[r] * sc] += 1.0
            continue
        for r in range(by_feature.shape[1]):
            cell = offsets[k]
            for j in range(width):
                cell += by_feature[slots[k, j], r] * strides[k, j]
            out[cell] += 1.0
    return out


@njit(cache=True)
def _refresh(x: int, error: np.ndarray, weight: np.ndarray, cost: np.ndarray, up: np.ndarray, down: np.ndarray) -> None:
    """Recompute ``up`` and ``down`` of cell ``x`` from its error (an unpublished cell's target is 0, so its error
    is its count: its first record costs ``cost``, and removing its last one gains it)."""
    e = error[x]
    up[x] = weight[x] * (2 * e + 1) + cost[x] * (e == 0)
    down[x] = weight[x] * (1 - 2 * e) - cost[x] * (e == 1)


@njit(cache=True)
def _refresh_all(error: np.ndarray, weight: np.ndarray, cost: np.ndarray, up: np.ndarray, down: np.ndarray) -> None:
    for x in range(error.size):
        _refresh(x, error, weight, cost, up, down)


@dataclass
class _Objective:
    """Per flat cell: count minus target (``error``), weight, the extra cost of a first record in an
    unpublished cell (0 elsewhere), and the objective's change of one record more (``up``) and one record less
    (``down``), kept up to date by the compiled sweep."""

    error: np.ndarray
    weight: np.ndarray
    cost: np.ndarray
    up: np.ndarray
    down: np.ndarray

    @classmethod
    def start(cls, error: np.ndarray, weight: np.ndarray, cost: np.ndarray) -> _Objective:
        out = cls(error, weight, cost, np.empty_like(error), np.empty_like(error))
        _refresh_all(error, weight, cost, out.up, out.down)
        return out

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays as the compiled functions take them."""
        return (self.error, self.weight, self.cost, self.up, self.down)

    def value(self) -> float:
        """The objective: noise-weighted squared error plus the cost of the unpublished cells holding records."""
        return float(self.weight @ self.error**2 + self.cost @ (self.error > 0))


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
    features, layout, target, weight, unpublished = _layout(marginals, sizes, codes)
    error = _counts(codes, marginals, features) - target
    objective = _Objective.start(error, weight, unpublished * float(unpublished_cost))
    absent = np.asarray(sizes, np.int64) - 1
    before = objective.value()
    changed = 0
    for sweep in range(sweeps):
        for c in rng.permutation(m):
            if sizes[c] < 2:
                continue
            order = rng.permutation(n)
            candidates, draws = _draws(int(sizes[c]), n, rng)
            changed += _sweep_column(
                codes, int(c), order, candidates, draws, accept, CHUNK,
                features.arrays(), layout[c].arrays(), absent, objective.arrays(),
            )  # fmt: skip
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


def _draws(size: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Per chunk of one column's pass, its candidate values (all of them, or a random :data:`MAX_CANDIDATES`),
    and per record a uniform draw for its acceptance, drawn chunk by chunk."""
    chunks = -(-n // CHUNK)
    if size <= MAX_CANDIDATES:
        return np.tile(np.arange(size, dtype=np.int64), (chunks, 1)), rng.random(n)
    candidates = np.empty((chunks, MAX_CANDIDATES), np.int64)
    draws = np.empty(n)
    for i, start in enumerate(range(0, n, CHUNK)):
        candidates[i] = rng.choice(size, MAX_CANDIDATES, replace=False)
        draws[start : start + CHUNK] = rng.random(min(CHUNK, n - start))
    return candidates, draws


@njit(cache=True)
def _feature_values(row: np.ndarray, features: tuple, out: np.ndarray) -> None:
    """The record's value of every feature (``row``: its codes; ``features``: :meth:`_Features.arrays`) in ``out``."""
    feature_column, lut, at = features
    m = row.size
    out[:m] = row
    for i in range(feature_column.size):
        out[m + i] = lut[at[i] + row[feature_column[i]]]


@njit(cache=True)
def _record_cells(values: np.ndarray, column: tuple, cells: np.ndarray, which: np.ndarray) -> int:
    """The marginals of a :class:`_Column` (``column``: its :meth:`_Column.arrays`) in which a record (``values``:
    its feature values, :func:`_feature_values`) can change the objective: their indices in ``which[:count]`` and
    the record's flat cells in ``cells[:count]``; returns the count. The others hold a category of another column
    that makes every cell the record can reach free (a whole group at once where it is the group's lead slot)."""
    packed, _, free, lead, group_end = column
    width = (packed.shape[1] - 1) // 3  # a row: columns, strides, free_at (width each), offset
    count = 0
    k = 0
    while k < packed.shape[0]:
        end = group_end[k]
        j = lead[k]
        if j >= 0 and free[packed[k, 2 * width + j] + values[packed[k, j]]]:
            k = end
            continue
        if width == 3:  # written out (as in _count_cells): a fifth faster than the loop over slots
            for kk in range(k, end):  # without branches: every cell is written, and kept if the record is alive
                row = packed[kk]
                a, b, c = values[row[0]], values[row[1]], values[row[2]]
                cells[count] = row[9] + a * row[3] + b * row[4] + c * row[5]
                which[count] = kk
                count += not (free[row[6] + a] | free[row[7] + b] | free[row[8] + c])
            k = end
            continue
        for kk in range(k, end):
            cell = packed[kk, 3 * width]
            alive = True
            for jj in range(width):
                value = values[packed[kk, jj]]
                cell += value * packed[kk, width + jj]
                alive &= not free[packed[kk, 2 * width + jj] + value]
            cells[count] = cell
            which[count] = kk
            count += alive
        k = end
    return count


@njit(cache=True)
def _score(
    cells: np.ndarray,
    which: np.ndarray,
    old: int,
    shift: np.ndarray,
    candidates: np.ndarray,
    blocked: bool,
    up: np.ndarray,
    down: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[i]``: the change of the objective of giving a record (value ``old``, cells ``cells`` in the
    marginals ``which``, as :func:`_record_cells` gives them) candidate value ``candidates[i]``: 0 for its own,
    inf for the absent category when ``blocked`` (it is the record's last value). A marginal whose cell stays
    adds nothing; moving from cell a to cell b adds ``up[b] + down[a]``."""
    absent = shift.shape[1] - 1
    gained = np.zeros(candidates.size)
    given = np.zeros(candidates.size)
    for t in range(cells.size):  # marginal by marginal (its row of shift is read once), each sum in order of t
        k = which[t]
        cell = cells[t]
        base = cell - shift[k, old]
        lost = down[cell]
        for i in range(candidates.size):
            new = base + shift[k, candidates[i]]
            if new != cell:
                gained[i] += up[new]
                given[i] += lost
    for i in range(candidates.size):
        v = candidates[i]
        out[i] = 0.0 if v == old else np.inf if blocked and v == absent else gained[i] + given[i]


@njit(cache=True)
def _sweep_column(
    codes: np.ndarray,
    c: int,
    order: np.ndarray,
    candidates: np.ndarray,
    draws: np.ndarray,
    accept: float,
    chunk: int,
    features: tuple,
    column: tuple,
    absent: np.ndarray,
    objective: tuple,
) -> int:
    """One pass over column ``c`` in the record ``order``, by chunks of ``chunk`` records scored against the same
    counts: each record takes its best candidate (``candidates[chunk index]``) if that lowers the objective and
    its ``draws`` value is below ``accept``; then the chunk's edits are applied and the cells they touch
    refreshed (``objective``: error, weight, cost, up, down; the error of a free cell is not kept, as no term
    reads it). A record's last value is never removed (see :func:`polish`). Returns the number of edits."""
    error, weight, cost, up, down = objective
    shift = column[1]
    n, m = codes.shape
    k = shift.shape[0]
    values = np.empty(m + features[0].size, np.int64)
    cells = np.empty((chunk, k), np.int64)
    which = np.empty((chunk, k), np.int64)
    count = np.empty(chunk, np.int64)
    value = np.empty(chunk, np.int64)
    scores = np.empty(candidates.shape[1])
    changed = 0
    for index in range(candidates.shape[0]):
        start = index * chunk
        stop = min(start + chunk, n)
        for i in range(start, stop):
            if draws[i] >= accept:  # it would not take its best value: not scored
                value[i - start] = -1
                continue
            row = codes[order[i]]
            old = row[c]
            _feature_values(row, features, values)
            q = _record_cells(values, column, cells[i - start], which[i - start])
            count[i - start] = q
            held = 0
            for j in range(m):
                held += row[j] != absent[j]
            blocked = old != absent[c] and held == 1
            _score(cells[i - start, :q], which[i - start, :q], old, shift, candidates[index], blocked, up, down, scores)
            best = np.argmin(scores)
            value[i - start] = candidates[index, best] if scores[best] < 0 else -1
        for i in range(start, stop):
            v = value[i - start]
            if v < 0:
                continue
            r = order[i]
            old = codes[r, c]
            for t in range(count[i - start]):
                kk = which[i - start, t]
                a = cells[i - start, t]
                b = a + shift[kk, v] - shift[kk, old]
                error[a] -= 1.0
                error[b] += 1.0
                _refresh(a, error, weight, cost, up, down)
                _refresh(b, error, weight, cost, up, down)
            codes[r, c] = v
            changed += 1
    return changed
