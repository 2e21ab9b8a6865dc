"""GUM's step on one marginal (:func:`move`, for :func:`synth.synthesizers.gum.update`), and a round of steps in
one call (:func:`move_round`), compiled with numba: records leave the cells in excess for the cells in deficit.
The step runs once per marginal and round (about 70,000 times for the sample of 20,000 victims at 8 rounds), so
in numpy it was mostly the overhead of a few dozen array calls per step (17 of gum's 33 seconds there).

The generator is numpy's own, passed into the compiled code, whose ``random`` and ``permutation`` draw exactly as
numpy's do. The records leaving a cell are drawn by a partial Fisher-Yates shuffle (one draw per record taken,
where a random key per record of the cell and a sort cost most of the step), and sources meet slots by bucketing
their groups (docs/benchmarks.md, issue 9, session 8); ``tests/synth/synthesizers/test_moves.py`` checks every
move against a numpy version that draws the same way.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _buckets(groups: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The elements bucketed by group (``0 <= groups < size``), in index order within a group: group g's elements
    are ``members[start[g]:start[g + 1]]``."""
    start = np.zeros(size + 1, np.int64)
    for g in groups:
        start[g + 1] += 1
    for g in range(size):
        start[g + 1] += start[g]
    members = np.empty(groups.size, np.int64)
    filled = start[:-1].copy()
    for i in range(groups.size):
        members[filled[groups[i]]] = i
        filled[groups[i]] += 1
    return members, start


@njit(cache=True)
def _draw_front(members: np.ndarray, first: int, end: int, k: int, rng: np.random.Generator) -> None:
    """Put ``k`` elements of ``members[first:end]`` drawn at random (a uniform subset in a uniform order) in front
    of it: the first ``k`` steps of a Fisher-Yates shuffle, one draw each."""
    for i in range(first, first + k):
        j = min(i + int(rng.random() * (end - i)), end - 1)
        members[i], members[j] = members[j], members[i]


@njit(cache=True)
def _draw_sources(cells: np.ndarray, counts: np.ndarray, over: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The records leaving each cell: ``over[x]`` (>= 0) of the records in cell x (``cells``: per record;
    ``counts``: per cell) drawn at random, or all of them when it holds no more; cell after cell, in the order drawn."""
    start = np.zeros(over.size + 1, np.int64)
    total = 0
    for x in range(over.size):
        start[x + 1] = start[x] + (counts[x] if over[x] > 0 else 0)
        total += min(over[x], counts[x])
    members = np.empty(start[-1], np.int64)
    filled = start[:-1].copy()
    for r in range(cells.size):
        x = cells[r]
        if over[x] > 0:
            members[filled[x]] = r
            filled[x] += 1
    out = np.empty(total, np.int64)
    at = 0
    for x in range(over.size):
        q = min(over[x], counts[x])
        if q == 0:
            continue
        if q < counts[x]:
            _draw_front(members, start[x], start[x + 1], q, rng)
        out[at : at + q] = members[start[x] : start[x] + q]
        at += q
    return out


@njit(cache=True)
def _round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unbiased stochastic rounding of non-negative values to integers (a draw per value with a fractional part)."""
    out = np.empty(values.size, np.int64)
    for i in range(values.size):
        base = np.floor(values[i])
        out[i] = int(base) + (values[i] > base and rng.random() < values[i] - base)
    return out


@njit(cache=True)
def _match(
    sources: np.ndarray, slots: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs (source index, slot index) within equal groups (``sources``, ``slots``: their groups, below
    ``size``), as many as both sides allow per group: in increasing group order, that many sources and slots of
    the group drawn at random (:func:`_draw_front`, sources first), paired in the order drawn."""
    src_members, src_start = _buckets(sources, size)
    slot_members, slot_start = _buckets(slots, size)
    take = np.empty(min(sources.size, slots.size), np.int64)
    paired = np.empty(take.size, np.int64)
    count = 0
    for g in range(size):
        a, b = src_start[g + 1] - src_start[g], slot_start[g + 1] - slot_start[g]
        k = min(a, b)
        if k == 0:
            continue
        _draw_front(src_members, src_start[g], src_start[g + 1], k, rng)
        _draw_front(slot_members, slot_start[g], slot_start[g + 1], k, rng)
        take[count : count + k] = src_members[src_start[g] : src_start[g] + k]
        paired[count : count + k] = slot_members[slot_start[g] : slot_start[g] + k]
        count += k
    return take[:count], paired[:count]


@njit(cache=True)
def _counts(codes: np.ndarray, columns: np.ndarray, shape: np.ndarray, size: int) -> np.ndarray:
    """The records' count in each cell of the marginal over ``columns`` (in one pass over the records, written
    out per number of columns: the loop over columns inside it made it twice as slow)."""
    counts = np.zeros(size, np.int64)
    first = codes[:, columns[0]]
    if columns.size == 1:
        for r in range(first.size):
            counts[first[r]] += 1
    elif columns.size == 2:
        second = codes[:, columns[1]]
        for r in range(first.size):
            counts[first[r] * shape[1] + second[r]] += 1
    else:
        second, third = codes[:, columns[1]], codes[:, columns[2]]
        for r in range(first.size):
            counts[(first[r] * shape[1] + second[r]) * shape[2] + third[r]] += 1
    return counts


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
    counts = _counts(codes, columns, shape, target.size)
    excess = np.zeros(target.size)  # beyond the slack: > 0 over the target, < 0 under it
    for x in measured:
        error = counts[x] - target[x]
        excess[x] = np.sign(error) * max(abs(error) - slack[x], 0.0)
    if not (excess > 0).any() or not (excess < 0).any():  # most 3-way steps after the first rounds
        return 0, np.zeros(0, np.int64), codes[:0].copy()
    cells = np.zeros(n, np.int64)
    for j in range(columns.size):  # column by column: the rounds hold the codes in Fortran order
        column = codes[:, columns[j]]
        for r in range(n):
            cells[r] = cells[r] * shape[j] + column[r]
    over = _round(step * np.maximum(excess, 0.0), rng)
    under = _round(step * np.maximum(-excess, 0.0), rng)
    if not over.any() or not under.any():
        return 0, np.zeros(0, np.int64), codes[:0].copy()
    sources = _draw_sources(cells, counts, over, rng)
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
            take, slot_idx = _match(src_groups, slot_groups, target.size, rng)
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


@njit(cache=True)
def move_round(
    codes: np.ndarray,
    order: np.ndarray,
    columns: np.ndarray,
    widths: np.ndarray,
    shapes: np.ndarray,
    cell_at: np.ndarray,
    target: np.ndarray,
    slack: np.ndarray,
    measured: np.ndarray,
    measured_at: np.ndarray,
    step: float,
    rng: np.random.Generator,
    single_column: bool,
) -> int:
    """:func:`move` on the marginals ``order`` one after another, in one compiled call (a call from Python costs
    about 20 microseconds, as much as a step that moves nothing: 1.4 s of the rounds on the sample of 20,000
    victims). Marginal k is over ``columns[k, :widths[k]]`` with shape ``shapes[k, :widths[k]]``; its cells are
    ``cell_at[k]:cell_at[k + 1]`` of ``target`` and ``slack``, its measured cells
    ``measured[measured_at[k]:measured_at[k + 1]]``. Returns the number of records moved."""
    moved = 0
    for k in order:
        w = widths[k]
        first, end = cell_at[k], cell_at[k + 1]
        moved += move(
            codes,
            columns[k, :w],
            shapes[k, :w],
            target[first:end],
            slack[first:end],
            measured[measured_at[k] : measured_at[k + 1]],
            step,
            rng,
            single_column,
        )[0]
    return moved
