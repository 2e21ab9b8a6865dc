"""GUM's compiled step (:mod:`synth.synthesizers.moves`) against the numpy version it replaced: the same
moves, record for record, from the same generator."""

from __future__ import annotations

import numpy as np
import pytest

from synth.aggregates import aggregate
from synth.encode import encode_frame
from synth.synthesizers.gum import Marginal, marginals, update
from synth.synthesizers.raked_marginals import build_tables
from tests.synth.synthesizers.test_polish import clustered


def _rank_in_group(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    order = np.argsort(groups + rng.random(groups.size), kind="stable")
    sorted_groups = groups[order]
    first = np.zeros(groups.size, np.int64)
    breaks = np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1
    first[breaks] = breaks
    rank_sorted = np.arange(groups.size) - np.maximum.accumulate(first)
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def _round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.floor(values)
    return (base + (rng.random(values.size) < values - base)).astype(np.int64)


def _match(source_groups: np.ndarray, slot_groups: np.ndarray, rng: np.random.Generator) -> tuple:
    src_rank = _rank_in_group(source_groups, rng)
    slot_rank = _rank_in_group(slot_groups, rng)
    groups, slot_counts = np.unique(slot_groups, return_counts=True)
    pos = np.searchsorted(groups, source_groups).clip(max=max(groups.size - 1, 0))
    has = (groups.size > 0) & (groups[pos] == source_groups) if groups.size else np.zeros(source_groups.size, bool)
    take = np.flatnonzero(has & (src_rank < np.where(has, slot_counts[pos], 0)))
    slot_order = np.lexsort((slot_rank, slot_groups))
    starts = np.searchsorted(slot_groups[slot_order], groups)
    return take, slot_order[starts[pos[take]] + src_rank[take]]


def _reference_update(
    codes: np.ndarray, marginal: Marginal, step: float, rng: np.random.Generator, single_column: bool
) -> int:
    """The step as first written, in numpy (session 6)."""
    cols, shape = marginal.columns, marginal.shape
    cells = codes[:, cols[0]]
    for c, size in zip(cols[1:], shape[1:], strict=True):
        cells = cells * size + codes[:, c]
    current = np.bincount(cells, minlength=marginal.target.size)[marginal.measured]
    error = current - marginal.target[marginal.measured]
    excess = np.sign(error) * np.maximum(np.abs(error) - marginal.slack[marginal.measured], 0)
    if not (excess > 0).any() or not (excess < 0).any():
        return 0
    over = np.zeros(marginal.target.size, np.int64)
    under = np.zeros(marginal.target.size, np.int64)
    over[marginal.measured] = _round(step * np.maximum(excess, 0), rng)
    under[marginal.measured] = _round(step * np.maximum(-excess, 0), rng)
    if not over.any() or not under.any():
        return 0
    candidates = np.flatnonzero(over[cells] > 0)
    rank = _rank_in_group(cells[candidates], rng)
    sources = candidates[rank < over[cells[candidates]]]
    slots = np.repeat(np.arange(under.size), under)
    moved = 0
    for f in rng.permutation(len(cols)) if len(cols) > 1 else []:
        if sources.size == 0 or slots.size == 0:
            break
        src_coords = list(np.unravel_index(cells[sources], shape))
        slot_coords = list(np.unravel_index(slots, shape))
        src_coords[f] = np.zeros_like(src_coords[f])
        slot_coords[f] = np.zeros_like(slot_coords[f])
        take, slot_idx = _match(
            np.ravel_multi_index(tuple(src_coords), shape), np.ravel_multi_index(tuple(slot_coords), shape), rng
        )
        codes[sources[take], cols[f]] = np.unravel_index(slots[slot_idx], shape)[f]
        moved += take.size
        keep_src = np.ones(sources.size, bool)
        keep_src[take] = False
        keep_slot = np.ones(slots.size, bool)
        keep_slot[slot_idx] = False
        sources, slots = sources[keep_src], slots[keep_slot]
    if not (len(cols) > 1 and single_column):
        k = min(sources.size, slots.size)
        sources = np.sort(rng.permutation(sources)[:k])
        sources = sources[np.argsort(cells[sources], kind="stable")]
        slots = np.sort(rng.permutation(slots)[:k])
        new = np.unravel_index(slots, shape)
        for i, c in enumerate(cols):
            codes[sources, c] = new[i]
        moved += k
    return moved


@pytest.mark.parametrize("single_column", [False, True])
def test_the_compiled_step_moves_the_same_records_as_the_numpy_version(single_column):
    # Random records against the 1/2/3-way marginals of a clustered table with a column of 20 values: many
    # cells in excess and in deficit, matched one column at a time and then paired; 3 rounds with shrinking steps.
    data = clustered(1500, seed=3)
    frame = data.to_frame()
    frame["wide"] = [f"w{v}" for v in np.random.default_rng(4).integers(0, 20, data.n_records)]
    agg, noise_sd = aggregate(encode_frame(frame), 3), [2.0, 3.0, 4.0]
    tables = build_tables(agg, noise_sd)
    todo = marginals(agg, tables, noise_sd, 0.5)
    start_rng = np.random.default_rng(8)
    start = np.stack([start_rng.integers(0, s, agg.n_records) for s in tables.sizes], axis=1)
    ours, theirs = np.asfortranarray(start), np.asfortranarray(start.copy())
    ours_rng, theirs_rng = np.random.default_rng(9), np.random.default_rng(9)
    moved = []
    for step in (0.8, 0.5, 0.3):
        for marginal in todo:
            count = update(ours, marginal, step, ours_rng, single_column)
            assert count == _reference_update(theirs, marginal, step, theirs_rng, single_column)
            moved.append(count)
        assert np.array_equal(ours, theirs)
    assert sum(moved) > 1000 and sum(m > 0 for m in moved) > len(todo)
    assert ours_rng.random() == theirs_rng.random()  # the generator is left in the same state
