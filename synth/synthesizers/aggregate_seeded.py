"""Reference method: (DP) aggregate-seeded synthesis, SDS §5.4-5.5, built from an :class:`Aggregates` only.

Records are built attribute by attribute. A candidate attribute ``a`` for the partial record ``r`` must still
be available (its 1-count budget ``avail[a]`` not exhausted) and from a column not yet in ``r``. Its weight is

- ``|r + a| <= R``: the aggregate count of ``r + a`` (not a candidate if absent);
- ``|r + a| > R``: round(P-th percentile, Hyndman-Fan type 8) of the counts of every sub-combination of
  ``r + a`` of length 1..R that contains ``a`` (not a candidate if any is absent).

With ``use_synthetic_counts`` every looked-up count is reduced by the number of records synthesised so far
that contain the combination (<= 0 counts as absent). Records stop when no candidate is left; synthesis stops
when ``avail`` is empty, or, with ``target_number_of_records``, after exactly that many records (``avail``
and the synthetic counts are reset whenever ``avail`` runs out). No combination up to length R absent from
the aggregates is ever created, provided they are parent-closed (every sub-combination of a reported
combination is reported), as DP post-processing leaves them.

Vectorisation (deliberate deviation from the sequential reference): ``batch_size`` records (at most 1/8 of
those the remaining budget will make) are built in lockstep, one attribute per record per step, so records
of one batch see the same ``avail`` and synthetic counts at each step; an attribute picked by more records
than it has budget left is granted to a random subset of them and the others draw again. Per (record,
candidate) the state is kept incrementally: adding ``z`` to ``r`` only creates the sub-combinations
``{a, z} + S`` (S a subset of ``r`` of at most R-2 attributes), found through a prefix
index ("every combination containing this (l-1)-combination plus one more attribute").
Without synthetic counts the counts never change, so only the top order statistics the percentile needs are
kept; with synthetic counts the combination ids are kept and re-read every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from synth.aggregates import Aggregates
from synth.combos import lookup, pack
from synth.encode import ABSENT, Encoded
from synth.synthesizers.condense import has_multi_value, on_condensed_view

#: Memory budget (bytes) for the per-(record, candidate) state of one lockstep batch.
STATE_BYTES = 64_000_000
#: Largest share of the records still to be made (remaining budget / mean record length) built in one batch.
BATCH_SHARE = 0.125


@dataclass
class Index:
    """All combination counts under global ids, and per length l >= 2 a prefix index.

    ``prefix_keys[l]``: sorted packed keys of the (l-1)-combinations that extend to some l-combination;
    ``starts[l]``: CSR offsets into ``thirds[l]`` (the extending attribute) and ``ids[l]`` (global id of the
    l-combination).
    """

    counts: np.ndarray
    attr_ids: np.ndarray
    prefix_keys: dict[int, np.ndarray]
    starts: dict[int, np.ndarray]
    thirds: dict[int, np.ndarray]
    ids: dict[int, np.ndarray]


def build_index(agg: Aggregates, scale: float | None) -> Index:
    """Global ids and counts (optionally ``ceil(count * scale)``) plus the prefix indexes."""
    offsets, parts, start = {}, [], 0
    for length in agg.lengths():
        offsets[length] = start
        start += agg.keys[length].size
        parts.append(agg.counts[length])
    counts = np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)
    if scale is not None:
        counts = np.ceil(counts * scale)
    attr_ids = np.full(agg.base, -1, np.int64)
    attr_ids[agg.keys[1]] = offsets[1] + np.arange(agg.keys[1].size)
    prefix_keys, starts, thirds, ids = {}, {}, {}, {}
    for length in range(2, agg.reporting_length + 1):
        combos = agg.combos(length)
        gids = offsets[length] + np.arange(combos.shape[0])
        key_parts, third_parts, owner_parts = [], [], []
        for q in range(length):
            key_parts.append(pack(np.delete(combos, q, axis=1), agg.base))
            third_parts.append(combos[:, q])
            owner_parts.append(gids)
        keys, third, owner = np.concatenate(key_parts), np.concatenate(third_parts), np.concatenate(owner_parts)
        order = np.argsort(keys, kind="stable")
        uniq, first = np.unique(keys[order], return_index=True)
        prefix_keys[length] = uniq
        starts[length] = np.append(first, keys.size)
        thirds[length], ids[length] = third[order], owner[order]
    return Index(counts, attr_ids, prefix_keys, starts, thirds, ids)


def percentile_from_top(top: np.ndarray, m: int, q: float) -> np.ndarray:
    """Hyndman-Fan type 8 q-quantile (0..1) of m values given their largest ones sorted descending (last axis)."""
    h = (m + 1.0 / 3.0) * q + 1.0 / 3.0
    hf = int(np.floor(h))
    if hf < 1:
        return top[..., m - 1]
    if hf >= m:
        return top[..., 0]
    lo, hi = top[..., m - hf], top[..., m - hf - 1]
    return lo + (h - hf) * (hi - lo)


def top_needed(m_max: int, q: float) -> int:
    """How many of the largest values :func:`percentile_from_top` reads, for any m up to ``m_max``."""
    need = 1
    for m in range(1, m_max + 1):
        hf = int(np.floor((m + 1.0 / 3.0) * q + 1.0 / 3.0))
        need = max(need, m if hf < 1 else (1 if hf >= m else m - hf + 1))
    return need


def new_sub_ids(
    index: Index, records: np.ndarray, t: int, z: np.ndarray, n_attrs: int, base: int, reporting_length: int
) -> np.ndarray:
    """Global ids of the combinations ``{a, z} + S`` (S a subset of the record's first t attributes, |S| <= R-2).

    Returns (records, n_attrs, slots) ids, -1 where the combination is absent. Slots are ordered by length,
    then by subset; the last slot of length t+2 (if t+2 <= R) is the whole ``r + z + a``.
    """
    subsets = [list(combinations(range(t), length - 2)) for length in range(2, reporting_length + 1)]
    slots = sum(len(s) for s in subsets)
    out = np.full((records.shape[0], n_attrs, slots), -1, np.int64)
    slot = 0
    for length, subs in zip(range(2, reporting_length + 1), subsets, strict=False):
        if not subs or index.prefix_keys[length].size == 0:
            slot += len(subs)
            continue
        pos = np.array(subs, dtype=np.int64).reshape(len(subs), length - 2)
        prefix = np.concatenate([np.repeat(z[:, None, None], len(subs), axis=1), records[:, pos]], axis=2)
        keys = pack(np.sort(prefix, axis=2).reshape(-1, length - 1), base)
        found = lookup(index.prefix_keys[length], keys)
        rows = np.flatnonzero(found >= 0)
        begin, end = index.starts[length][found[rows]], index.starts[length][found[rows] + 1]
        sizes = end - begin
        entry = np.repeat(begin - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        owner = np.repeat(rows, sizes)
        out[owner // len(subs), index.thirds[length][entry], slot + owner % len(subs)] = index.ids[length][entry]
        slot += len(subs)
    return out


def weighted_pick(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One column index per row drawn proportionally to the row's weights; -1 for all-zero rows."""
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1] if cum.shape[1] else np.zeros(weights.shape[0])
    u = rng.random(weights.shape[0]) * total
    pick = (cum <= u[:, None]).sum(axis=1)
    return np.where(total > 0, np.minimum(pick, weights.shape[1] - 1), -1)


class Batch:
    """Records of one lockstep batch and, per (record, attribute), what their weights need."""

    def __init__(self, size: int, index: Index, agg: Aggregates, q: float, synthetic: bool) -> None:
        self.index, self.agg, self.q, self.synthetic = index, agg, q, synthetic
        n_attrs, n_cols = agg.base, len(agg.schema.columns)
        self.records = np.full((size, n_cols), -1, np.int64)
        self.t, self.m = 0, 1
        first = np.broadcast_to(index.attr_ids, (size, n_attrs))
        self.exact = first.copy()
        m_max = sum(comb(n_cols - 1, length - 1) for length in agg.lengths())
        if synthetic:
            self.ids = np.full((size, n_attrs, m_max), -1, np.int64)
            self.ids[:, :, 0] = first
        else:
            self.top = np.full((size, n_attrs, top_needed(m_max, q)), -1.0)
            self.top[:, :, 0] = np.where(first >= 0, index.counts[np.maximum(first, 0)], -1.0)
            self.present = first >= 0

    def weights(self, synth_counts: np.ndarray) -> np.ndarray:
        """Integer weights of every attribute for every record (0 = not a candidate; columns not masked)."""
        counts = self.index.counts - synth_counts if self.synthetic else self.index.counts
        if self.t + 1 <= self.agg.reporting_length:
            w = np.where(self.exact >= 0, counts[np.maximum(self.exact, 0)], 0.0)
            return np.floor(np.maximum(w, 0.0) + 0.5)
        if self.synthetic:
            ids = self.ids[:, :, : self.m]
            values = np.where(ids >= 0, counts[np.maximum(ids, 0)], 0.0)
            valid = (values > 0).all(axis=2)
            top = -np.sort(-values, axis=2)
        else:
            valid, top = self.present, self.top
        w = np.floor(percentile_from_top(top, self.m, self.q) + 0.5)
        return np.where(valid, np.maximum(w, 0.0), 0.0)

    def keep(self, rows: np.ndarray) -> None:
        """Restrict the batch to ``rows`` (records that can still grow)."""
        self.records, self.exact = self.records[rows], self.exact[rows]
        if self.synthetic:
            self.ids = self.ids[rows]
        else:
            self.top, self.present = self.top[rows], self.present[rows]

    def add(self, z: np.ndarray, synth_counts: np.ndarray) -> None:
        """Append attribute z[i] to record i (all records of the batch) and update the state."""
        rows = np.arange(z.size)
        if self.synthetic:
            np.add.at(synth_counts, self.ids[rows, z, : self.m].ravel()[self.ids[rows, z, : self.m].ravel() >= 0], 1)
        if self.t + 1 == self.records.shape[1]:  # records complete: no candidate is left to update
            self.records[rows, self.t] = z
            self.t += 1
            return
        new = new_sub_ids(self.index, self.records, self.t, z, self.agg.base, self.agg.base, self.agg.reporting_length)
        self.records[rows, self.t] = z
        if self.t + 2 <= self.agg.reporting_length:
            self.exact = new[:, :, -1]
        if self.synthetic:
            self.ids[:, :, self.m : self.m + new.shape[2]] = new
        else:
            values = np.where(new >= 0, self.index.counts[np.maximum(new, 0)], -1.0)
            self.present &= (new >= 0).all(axis=2)
            merged = -np.sort(-np.concatenate([self.top, values], axis=2), axis=2)
            self.top = merged[:, :, : self.top.shape[2]]
        self.t += 1
        self.m += new.shape[2]


def grant(picks: np.ndarray, avail: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which picks are granted: at most ``avail[a]`` of the picks of each attribute a, chosen at random."""
    order = rng.permutation(picks.size)
    order = order[np.argsort(picks[order], kind="stable")]
    sorted_picks = picks[order]
    first = np.searchsorted(sorted_picks, sorted_picks, side="left")
    rank = np.empty(picks.size, np.int64)
    rank[order] = np.arange(picks.size) - first
    return rank < avail[picks]


def build_batch(
    size: int,
    index: Index,
    agg: Aggregates,
    avail: np.ndarray,
    synth_counts: np.ndarray,
    q: float,
    synthetic: bool,
    rng: np.random.Generator,
) -> np.ndarray:
    """Build ``size`` records in lockstep; returns their attribute matrix (-1 padded), empty records included."""
    batch = Batch(size, index, agg, q, synthetic)
    done = []
    attr_column = agg.schema.attr_column
    while batch.records.shape[0]:
        weights = batch.weights(synth_counts) * (avail > 0)[None, :]
        used = np.zeros((batch.records.shape[0], len(agg.schema.columns) + 1), bool)
        cols = np.where(batch.records >= 0, attr_column[np.maximum(batch.records, 0)], used.shape[1] - 1)
        used[np.arange(batch.records.shape[0])[:, None], cols] = True  # padding lands in the spare column
        weights *= ~used[:, attr_column]
        z = np.full(batch.records.shape[0], -1)
        pending = np.arange(z.size)
        while pending.size:
            picks = weighted_pick(weights[pending] * (avail > 0)[None, :], rng)
            live = picks >= 0
            pending, picks = pending[live], picks[live]
            ok = grant(picks, avail, rng)
            z[pending[ok]] = picks[ok]
            np.subtract.at(avail, picks[ok], 1)
            pending = pending[~ok]
        grows = z >= 0
        done.append(batch.records[~grows])
        batch.keep(np.flatnonzero(grows))
        if grows.any():
            batch.add(z[grows], synth_counts)
    return np.concatenate(done) if done else np.zeros((0, len(agg.schema.columns)), np.int64)


def to_codes(records: np.ndarray, agg: Aggregates) -> np.ndarray:
    """Attribute-id records (-1 padded) to an Encoded code matrix."""
    codes = np.full((records.shape[0], len(agg.schema.columns)), ABSENT, np.int32)
    row, pos = np.nonzero(records >= 0)
    attrs = records[row, pos]
    cols = agg.schema.attr_column[attrs]
    codes[row, cols] = attrs - agg.schema.offsets[cols]
    return codes


def aggregate_seeded(
    aggregates: Aggregates,
    rng: np.random.Generator,
    *,
    use_synthetic_counts: bool = False,
    weight_selection_percentile: float = 95.0,
    aggregate_counts_scale_factor: float | None = None,
    target_number_of_records: int | None = None,
    batch_size: int = 256,
    condense_multi_value: bool = True,
    **_ignored: object,
) -> Encoded:
    """Aggregate-seeded synthesis (SDS §5.4) from ``aggregates`` only.

    use_synthetic_counts: subtract the counts already synthesised from every lookup (default False, as
      pac-synth and the SDS pipeline; the SDS web app uses True).
    weight_selection_percentile: percentile (0-100, type 8) of the sub-combination counts used as weight
      once a record is longer than R.
    aggregate_counts_scale_factor: every count becomes ceil(count * factor) first.
    target_number_of_records: produce exactly this many records (budgets reset whenever exhausted).
    batch_size: records built in lockstep (capped so the batch state stays within ``STATE_BYTES``).
    condense_multi_value: synthesise expanded multi-value columns as the reference does on the condensed
      table (one column per source, exact value sets as values; see :mod:`synth.synthesizers.condense`),
      then expand the records again. False treats every expanded column as independent (the old behaviour).
    Other options (e.g. ``noise_sd``) are accepted and ignored, so that every DP synthesizer shares a call.
    """
    if condense_multi_value and has_multi_value(aggregates.schema):
        return on_condensed_view(
            aggregate_seeded,
            aggregates,
            rng,
            use_synthetic_counts=use_synthetic_counts,
            weight_selection_percentile=weight_selection_percentile,
            aggregate_counts_scale_factor=aggregate_counts_scale_factor,
            target_number_of_records=target_number_of_records,
            batch_size=batch_size,
        )
    schema = aggregates.schema
    n_cols = len(schema.columns)
    if n_cols == 0 or aggregates.keys[1].size == 0 or target_number_of_records == 0:
        return Encoded(schema, np.zeros((0, n_cols), np.int32))
    index = build_index(aggregates, aggregate_counts_scale_factor)
    initial = np.zeros(aggregates.base, np.int64)
    initial[aggregates.keys[1]] = index.counts[index.attr_ids[aggregates.keys[1]]].astype(np.int64)
    initial = np.maximum(initial, 0)
    if initial.sum() == 0:
        return Encoded(schema, np.zeros((0, n_cols), np.int32))
    q = float(weight_selection_percentile) / 100.0
    m_max = sum(comb(n_cols - 1, length - 1) for length in aggregates.lengths())
    per_record = aggregates.base * 8 * (m_max if use_synthetic_counts else top_needed(m_max, q) + 2)
    size = max(1, min(int(batch_size), STATE_BYTES // per_record))
    avail, synth_counts = initial.copy(), np.zeros(index.counts.size)
    mean_length = max(initial.sum() / max(aggregates.n_records, 1), 1.0)
    out, produced = [], 0
    while True:
        if target_number_of_records is not None:
            if produced >= target_number_of_records:
                break
            if avail.sum() == 0:
                avail, synth_counts = initial.copy(), np.zeros(index.counts.size)
            want = min(size, target_number_of_records - produced)
        elif avail.sum() == 0:
            break
        else:
            want = size
        # At most BATCH_SHARE of the records the remaining budget still makes start together.
        want = max(1, min(want, int(avail.sum() * BATCH_SHARE / mean_length)))
        records = build_batch(want, index, aggregates, avail, synth_counts, q, use_synthetic_counts, rng)
        records = records[(records >= 0).any(axis=1)]
        out.append(records)
        produced += records.shape[0]
    records = np.concatenate(out) if out else np.zeros((0, n_cols), np.int64)
    return Encoded(schema, to_codes(records, aggregates))
