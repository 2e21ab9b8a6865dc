"""GUM's compiled step (:mod:`synth.synthesizers.moves`) against a numpy version of it that draws the same way
(the step as session 6 wrote it, with session 8's draws): the same moves, record for record, from the same
generator; and a round in one compiled call against its steps one call at a time."""

from __future__ import annotations

import numpy as np
import pytest

from synth.aggregates import aggregate
from synth.encode import encode_frame
from synth.synthesizers.gum import Marginal, marginals, packed_marginals, update
from synth.synthesizers.moves import move_round
from synth.synthesizers.raked_marginals import build_tables
from tests.synth.synthesizers.test_polish import clustered


def _draw_front(members: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` elements of ``members`` drawn at random, in the order drawn (Fisher-Yates, one draw each)."""
    members = members.copy()
    for i in range(k):
        j = min(i + int(rng.random() * (members.size - i)), members.size - 1)
        members[[i, j]] = members[[j, i]]
    return members[:k]


def _round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    base = np.floor(values)
    frac = values - base
    out = base.astype(np.int64)
    for i in np.flatnonzero(frac > 0):
        out[i] += rng.random() < frac[i]
    return out


def _match(source_groups: np.ndarray, slot_groups: np.ndarray, rng: np.random.Generator) -> tuple:
    take, paired = [], []
    for g in np.unique(np.r_[source_groups, slot_groups]):
        src, slot = np.flatnonzero(source_groups == g), np.flatnonzero(slot_groups == g)
        k = min(src.size, slot.size)
        if k:
            take.append(_draw_front(src, k, rng))
            paired.append(_draw_front(slot, k, rng))
    if not take:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(take), np.concatenate(paired)


def _reference_update(
    codes: np.ndarray, marginal: Marginal, step: float, rng: np.random.Generator, single_column: bool
) -> int:
    """The step in numpy, as the compiled one draws (session 8: one draw per record taken, not per record in an
    excess cell)."""
    cols, shape = marginal.columns, marginal.shape
    cells = codes[:, cols[0]]
    for c, size in zip(cols[1:], shape[1:], strict=True):
        cells = cells * size + codes[:, c]
    current = np.bincount(cells, minlength=marginal.target.size)[marginal.measured]
    error = current - marginal.target[marginal.measured]
    excess = np.sign(error) * np.maximum(np.abs(error) - marginal.slack[marginal.measured], 0)
    if not (excess > 0).any() or not (excess < 0).any():
        return 0
    full = np.zeros(marginal.target.size)
    full[marginal.measured] = excess
    over, under = _round(step * np.maximum(full, 0), rng), _round(step * np.maximum(-full, 0), rng)
    if not over.any() or not under.any():
        return 0
    sources = []
    for x in np.flatnonzero(over):
        held = np.flatnonzero(cells == x)
        sources.append(_draw_front(held, over[x], rng) if over[x] < held.size else held)
    sources = np.concatenate(sources)
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


def _setup() -> tuple[list[Marginal], np.ndarray]:
    """The 1/2/3-way marginals of a clustered table with a column of 20 values, and random records (many cells
    in excess and in deficit)."""
    data = clustered(1500, seed=3)
    frame = data.to_frame()
    frame["wide"] = [f"w{v}" for v in np.random.default_rng(4).integers(0, 20, data.n_records)]
    agg, noise_sd = aggregate(encode_frame(frame), 3), [2.0, 3.0, 4.0]
    tables = build_tables(agg, noise_sd)
    start_rng = np.random.default_rng(8)
    start = np.stack([start_rng.integers(0, s, agg.n_records) for s in tables.sizes], axis=1)
    return marginals(agg, tables, noise_sd, 0.5), start


@pytest.mark.parametrize("single_column", [False, True])
def test_the_compiled_step_moves_the_same_records_as_the_numpy_version(single_column):
    # Random records against the 1/2/3-way marginals of a clustered table with a column of 20 values: many
    # cells in excess and in deficit, matched one column at a time and then paired; 3 rounds with shrinking steps.
    todo, start = _setup()
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


def test_a_round_in_one_compiled_call_makes_the_steps_one_call_per_marginal_makes():
    todo, start = _setup()
    batched, single = np.asfortranarray(start), np.asfortranarray(start.copy())
    batched_rng, single_rng = np.random.default_rng(5), np.random.default_rng(5)
    order = np.random.default_rng(6).permutation(len(todo))
    moved = move_round(batched, order, *packed_marginals(todo), 0.6, batched_rng, False)
    assert moved == sum(update(single, todo[k], 0.6, single_rng) for k in order) > 500
    assert np.array_equal(batched, single) and batched_rng.random() == single_rng.random()
