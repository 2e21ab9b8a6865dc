"""GUM's step on one marginal (:func:`move`, for :func:`synth.synthesizers.gum.update`), compiled with numba:
records leave the cells in excess for the cells in deficit. Called once per marginal and round (about 70,000
times for the sample of 20,000 victims), so in numpy it was mostly the overhead of a few dozen array calls per
step (17 of gum's 33 seconds there).

The generator is numpy's own, passed into the compiled code, whose ``random`` and ``permutation`` draw exactly as
numpy's do; every sort whose ties matter is stable. So the moves are those of the numpy version it replaced, to
the record (docs/benchmarks.md, issue 9, session 7).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _rank_in_group(groups: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random 0-based rank of each element among the elements of its group, and the order sorting the elements
    by group and then rank."""
    order = np.argsort(groups + rng.random(groups.size), kind="mergesort")
    rank = np.empty(groups.size, np.int64)
    first = 0
    for i in range(groups.size):
        if i > 0 and groups[order[i]] != groups[order[i - 1]]:
            first = i
        rank[order[i]] = i - first
    return rank, order


@njit(cache=True)
def _first_in_group(groups: np.ndarray, quota: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whether each element is among the ``quota[group]`` first of its group in a random order: the elements
    :func:`_rank_in_group` ranks below the quota (the same draws, so the same elements), without sorting them
    all: each group's keys are partitioned at its quota."""
    keys = groups + rng.random(groups.size)
    size = np.zeros(quota.size + 1, np.int64)
    for g in groups:
        size[g + 1] += 1
    start = np.cumsum(size)
    members = np.empty(groups.size, np.int64)
    filled = start[:-1].copy()
    for i in range(groups.size):
        members[filled[groups[i]]] = i
        filled[groups[i]] += 1
    chosen = np.zeros(groups.size, np.bool_)
    for g in range(quota.size):
        first, end = start[g], start[g + 1]
        q = quota[g]
        if q <= 0 or first == end:
            continue
        if q >= end - first:
            chosen[members[first:end]] = True
            continue
        group_keys = keys[members[first:end]]
        bound = np.partition(group_keys, q - 1)[q - 1]
        below = 0
        for i in range(first, end):
            below += keys[members[i]] < bound
        ties = q - below  # keys equal to the bound, taken in index order as the stable sort does
        for i in range(first, end):
            key = keys[members[i]]
            if key < bound or (key == bound and ties > 0):
                chosen[members[i]] = True
                ties -= key == bound
    return chosen


@njit(cache=True)
def _round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unbiased stochastic rounding of non-negative values to integers."""
    base = np.floor(values)
    return (base + (rng.random(values.size) < values - base)).astype(np.int64)


@njit(cache=True)
def _match(sources: np.ndarray, slots: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (source index, slot index) within equal groups (``sources``, ``slots``: their groups), as many as both
    sides allow per group, in increasing source index."""
    src_rank, _ = _rank_in_group(sources, rng)
    _, slot_order = _rank_in_group(slots, rng)
    sorted_slots = slots[slot_order]
    take = np.empty(sources.size, np.int64)
    paired = np.empty(sources.size, np.int64)
    count = 0
    for i in range(sources.size):
        start = np.searchsorted(sorted_slots, sources[i])  # the group's first slot, by group and rank
        end = np.searchsorted(sorted_slots, sources[i], side="right")
        if src_rank[i] < end - start:
            take[count] = i
            paired[count] = slot_order[start + src_rank[i]]
            count += 1
    return take[:count], paired[:count]


@njit(cache=True)
def move(
    codes: np.ndarray,
    columns: np.ndarray,
    shape: np.ndarray,
    target: np.ndarray,
    slack: np.ndarray,
    measured: np.ndarray,
    step: float,
    rng: np.random.Generator,
    single_column: bool,
) -> tuple[int, np.ndarray, np.ndarray]:
    """One GUM step on the marginal over ``columns`` (see :func:`synth.synthesizers.gum.update`; ``codes`` edited
    in place); returns the number of records moved, the records it may have moved and their codes before."""
    n = codes.shape[0]
    strides = np.ones(shape.size, np.int64)
    for j in range(shape.size - 2, -1, -1):
        strides[j] = strides[j + 1] * shape[j + 1]
    cells = np.zeros(n, np.int64)
    for j in range(columns.size):  # column by column: the rounds hold the codes in Fortran order
        column = codes[:, columns[j]]
        for r in range(n):
            cells[r] = cells[r] * shape[j] + column[r]
    counts = np.zeros(target.size, np.int64)
    for r in range(n):
        counts[cells[r]] += 1
    current = counts[measured]
    error = current - target[measured]
    excess = np.sign(error) * np.maximum(np.abs(error) - slack[measured], 0)
    if not (excess > 0).any() or not (excess < 0).any():
        return 0, np.zeros(0, np.int64), codes[:0].copy()
    over = np.zeros(target.size, np.int64)
    under = np.zeros(target.size, np.int64)
    over[measured] = _round(step * np.maximum(excess, 0), rng)
    under[measured] = _round(step * np.maximum(-excess, 0), rng)
    if not over.any() or not under.any():
        return 0, np.zeros(0, np.int64), codes[:0].copy()
    candidates = np.flatnonzero(over[cells] > 0)
    sources = candidates[_first_in_group(cells[candidates], over, rng)]
    slots = np.repeat(np.arange(under.size), under)
    touched, before = sources, codes[sources]
    moved = 0
    if columns.size > 1:
        for f in rng.permutation(columns.size):
            if sources.size == 0 or slots.size == 0:
                break
            # Group by the cell with column f left out: a source and a slot of one group differ in f only.
            src_cells = cells[sources]
            src_groups = src_cells - (src_cells // strides[f] % shape[f]) * strides[f]
            slot_groups = slots - (slots // strides[f] % shape[f]) * strides[f]
            take, slot_idx = _match(src_groups, slot_groups, rng)
            codes[sources[take], columns[f]] = slots[slot_idx] // strides[f] % shape[f]
            moved += take.size
            keep_src = np.ones(sources.size, np.bool_)
            keep_src[take] = False
            keep_slot = np.ones(slots.size, np.bool_)
            keep_slot[slot_idx] = False
            sources, slots = sources[keep_src], slots[keep_slot]
    if not (columns.size > 1 and single_column):
        k = min(sources.size, slots.size)
        sources = np.sort(rng.permutation(sources)[:k])
        sources = sources[np.argsort(cells[sources], kind="mergesort")]
        slots = np.sort(rng.permutation(slots)[:k])
        for j in range(columns.size):
            codes[sources, columns[j]] = slots // strides[j] % shape[j]
        moved += k
    return moved, touched, before
