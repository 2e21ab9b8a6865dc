"""DP marginals: differentially private counts of attribute combinations up to length R (SDS §4.5).

Level by level (l = 1..R): build the candidate universe V_l from the level l-1 survivors, count for every
record its valid l-tuples, choose the contribution cap Δ_l with a DP percentile over a public range
(:mod:`synth.dp.percentile`, bounded by W_max, which the caller derives from the spec and the header), let
every record contribute at most Δ_l uniformly chosen tuples, add N(0, σ_l²Δ_l) to every candidate (zeros
included) and keep those above the threshold. Survivors are then rounded, parent-filled and normalised.

Public value domains (issue 8): the values of a *declared* column (``Column.declared``: a spec ``[domains]``
entry or a binned column) are public, so they are all 1-candidates, present in the data or not, and all
released with their noisy count (rounded, clamped at 0) without the length-1 threshold, which exists only to
hide which values occur. Undeclared columns keep SDS's data-derived domain and threshold; longer lengths
are unchanged (declared values with a positive noisy count extend like any survivor).

Everything is vectorised: records are processed in blocks from :func:`synth.combos.record_blocks` (one row
per record holding all its l-combination keys), candidates are matched through a dense position table
(or :func:`synth.combos.lookup` for large key spaces) and counted with ``np.bincount``. All randomness comes from
the ``numpy.random.Generator`` passed in.

Deliberate deviations from SDS (besides those listed in :mod:`synth.dp.params`):
- Δ_l is chosen among public candidates (:mod:`synth.dp.percentile`), not among 0..max(contribution).
- V_1 holds only the attributes with a capped count above zero (SDS: every attribute in the data), so one
  subject adds at most Δ_1 candidates, as the length-1 threshold's δ/2 assumes.
- Declared domains (above) are not in SDS.
- R is never lowered here: lengths that cannot occur in the data come out empty. (The caller caps R by the
  number of source columns, which is public.)
- Candidates of length l >= 2 are checked against the surviving (l-1)-subsets only. SDS checks every
  sub-combination of length 2..l-1; that is equivalent, because every survivor of length l-1 was itself
  a candidate whose shorter sub-combinations had all survived.
- Once Δ_l = 0 or V_l is empty (l >= 2) the longer lengths are skipped without drawing their percentile:
  that depends only on DP outputs. The length-1 percentile is always drawn.
- The report leaves out |V_1| (the number of distinct attributes in the private data, not DP protected).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt

from synth.aggregates import Aggregates
from synth.combos import lookup, pack, record_blocks, unpack
from synth.dp.params import BudgetSplit, DpParams, Thresholds, budget_split, protect_record_count, threshold_for_length
from synth.dp.percentile import contribution_bound, dp_percentile
from synth.encode import Encoded

log = logging.getLogger(__name__)

#: Upper bound on (survivor, attribute) pairs materialised at once while generating candidates.
CANDIDATE_BLOCK = 2_000_000
#: Keys per record block while matching records to candidates (bounds the lookup temporaries to ~100 MB).
RECORD_BLOCK = 2_000_000
#: Largest key space (base**l) matched through a dense position table (int32, at most 64 MB) instead of
#: a binary search: one gather per key is 5-10x faster than ``searchsorted`` on unsorted queries.
DENSE_INDEX_MAX = 1 << 24


@dataclass
class DpResult:
    """DP aggregates (``n_records`` = the protected n') and the JSON-serialisable release report."""

    aggregates: Aggregates
    report: dict


@dataclass
class _Level:
    """Outcome of one length, before post-processing."""

    keys: np.ndarray  # surviving keys, sorted
    noisy: np.ndarray  # their noisy counts
    n_candidates: int
    contribution_cap: int
    threshold: float | None  # None when nothing could survive (Δ = 0 or no candidates)

    def seeds(self) -> np.ndarray:
        """The survivors that the next length's candidates extend: those with a noisy count above 0. Every
        survivor has one, except declared values, which are kept whatever their count (a value whose count is
        not positive has no published combination: normalisation would cap them at 0)."""
        return self.keys[self.noisy > 0]


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int array (sort-based: numpy 2.4's hash-based ``np.unique`` is ~40x slower here)."""
    values = np.sort(values, axis=None)
    return values[np.r_[True, values[1:] != values[:-1]]] if values.size else values


def declared_attributes(data: Encoded) -> np.ndarray:
    """Boolean mask over attribute ids: the attributes of columns with a public (declared) domain."""
    declared = np.array([c.declared for c in data.schema.columns], dtype=bool)
    return declared[data.schema.attr_column]


def candidates_length_1(data: Encoded) -> np.ndarray:
    """The length-1 tuples: every attribute present in the data plus every value of a declared column,
    present or not. V_1 is the subset with a capped count above zero, declared values always included (for
    undeclared columns the domain comes from the data, as SDS)."""
    attrs = data.attributes()
    present = attrs[attrs >= 0].astype(np.int64)
    return sorted_unique(np.concatenate([present, np.flatnonzero(declared_attributes(data))]))


def extend_candidates(
    prev_keys: np.ndarray, base: int, attr_column: np.ndarray, length: int, block: int = CANDIDATE_BLOCK
) -> np.ndarray:
    """V_l from the sorted surviving (l-1)-keys: each survivor extended by each attribute of any survivor
    whose column it lacks, kept iff all its (l-1)-subsets survived. Returns sorted unique keys."""
    if prev_keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    prev = unpack(prev_keys, base, length - 1)
    attrs = sorted_unique(prev)
    attr_cols = attr_column[attrs]
    step = max(1, block // attrs.size)
    parts = []
    for start in range(0, prev.shape[0], step):
        chunk = prev[start : start + step]
        clash = (attr_column[chunk][:, :, None] == attr_cols[None, None, :]).any(axis=1)
        rows, cols = np.nonzero(~clash)
        combos = np.sort(np.concatenate([chunk[rows], attrs[cols][:, None]], axis=1), axis=1)
        keys = sorted_unique(pack(combos, base))
        combos = unpack(keys, base, length)
        ok = np.ones(keys.size, dtype=bool)
        for drop in range(length):
            ok &= lookup(prev_keys, pack(np.delete(combos, drop, axis=1), base)) >= 0
        parts.append(keys[ok])
    return sorted_unique(np.concatenate(parts))


def cap_contributions(positions: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of the entries each record contributes.

    ``positions`` is (records, C): candidate index of each of a record's combinations, -1 if not a
    candidate. A record with at most ``cap`` valid entries contributes all of them; otherwise a uniformly
    random subset of ``cap`` (random priorities, invalid entries last, the ``cap`` smallest kept).
    """
    valid = positions >= 0
    over = np.flatnonzero(valid.sum(axis=1) > cap)
    if over.size == 0:
        return valid
    sub = valid[over]
    priority = rng.random(sub.shape)
    priority[~sub] = 2.0
    chosen = np.argpartition(priority, cap - 1, axis=1)[:, :cap]
    picked = np.zeros_like(sub)
    np.put_along_axis(picked, chosen, True, axis=1)
    mask = valid.copy()
    mask[over] = picked
    return mask


def _record_positions(data: Encoded, candidates: np.ndarray, length: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Candidate positions (-1 if none) of every record's l-combinations, by record block, and |W_u| per record."""
    space = data.schema.n_attrs**length
    dtype: type[np.signedinteger[Any]] = np.int32 if candidates.size < 2**31 else np.int64
    table: npt.NDArray[np.signedinteger[Any]] | None = None
    if space <= DENSE_INDEX_MAX:
        table = np.full(space, -1, dtype=dtype)
        table[candidates] = np.arange(candidates.size, dtype=dtype)
    valid_counts = np.zeros(data.n_records, dtype=np.int64)
    blocks = []
    for rid, keys in record_blocks(data, length, block_keys=RECORD_BLOCK):
        pos = table[keys] if table is not None else lookup(candidates, keys).astype(dtype)
        valid_counts[rid] = (pos >= 0).sum(axis=1)
        blocks.append(pos)
    return blocks, valid_counts


def _noisy_level(
    data: Encoded,
    candidates: np.ndarray,
    length: int,
    split: BudgetSplit,
    thresholds: Thresholds,
    percentage: float,
    w_max: int,
    rng: np.random.Generator,
    public: np.ndarray | None = None,
) -> _Level:
    """Cap, count, add noise and threshold the candidates of one length (for l = 1: the attributes present).

    ``public`` (boolean, one per candidate): candidates of a declared domain, kept whatever their noisy count.
    """
    empty = np.zeros(0, dtype=np.int64)
    if candidates.size == 0 and length > 1:  # no (l-1)-combination survived: decided by DP outputs only
        return _Level(empty, np.zeros(0), 0, 0, None)
    blocks, valid_counts = _record_positions(data, candidates, length)
    bound = contribution_bound(w_max, length)
    cap = dp_percentile(valid_counts, percentage, split.epsilon_q, bound, rng)
    log.debug(
        "length %d: uncapped max contribution %d, DP cap %d (private, not published)",
        length,
        int(valid_counts.max(initial=0)),
        cap,
    )
    if cap == 0:
        # Nobody contributes, so every capped count is exactly 0; declared values are published as such.
        kept = candidates[public] if public is not None else empty
        return _Level(kept, np.zeros(kept.size), candidates.size, 0, None)
    counts = np.zeros(candidates.size, dtype=np.int64)
    for pos in blocks:
        counts += np.bincount(pos[cap_contributions(pos, cap, rng)], minlength=candidates.size)
    del blocks
    if length == 1:  # V_1: an attribute whose holders all dropped it when capped is no candidate (unless declared)
        held = counts > 0
        if public is not None:
            held |= public
            public = public[held]
        candidates, counts = candidates[held], counts[held]
    noisy = counts + rng.standard_normal(candidates.size) * (split.sigmas[length - 1] * np.sqrt(cap))
    threshold = threshold_for_length(split, thresholds, length, cap)
    keep = (noisy > threshold) & (noisy > 0)
    if public is not None:
        keep |= public
    return _Level(candidates[keep], noisy[keep], candidates.size, cap, threshold)


def round_counts(noisy: np.ndarray) -> np.ndarray:
    """Round half away from zero (Rust's ``f64::round``) to int64."""
    return (np.sign(noisy) * np.floor(np.abs(noisy) + 0.5)).astype(np.int64)


def add_missing_parents(
    keys: dict[int, np.ndarray], counts: dict[int, np.ndarray], base: int
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Insert every missing sub-combination of length 2..l-1 of a present l-combination, with the maximum
    count over the present combinations containing it (only combinations present on entry count)."""
    missing: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {j: [] for j in keys}
    for length, ks in keys.items():
        combos = unpack(ks, base, length)
        for j in range(2, length):
            for idx in combinations(range(length), j):
                sub = pack(combos[:, list(idx)], base)
                absent = lookup(keys[j], sub) < 0
                missing[j].append((sub[absent], counts[length][absent]))
    new_keys, new_counts = dict(keys), dict(counts)
    for j, parts in missing.items():
        if not parts:
            continue
        sub = np.concatenate([p[0] for p in parts])
        cnt = np.concatenate([p[1] for p in parts])
        if sub.size == 0:
            continue
        order = np.lexsort((cnt, sub))
        sub, cnt = sub[order], cnt[order]
        last = np.r_[sub[1:] != sub[:-1], True]  # last of each key group holds its maximum
        merged_keys = np.concatenate([keys[j], sub[last]])
        merged_counts = np.concatenate([counts[j], cnt[last]])
        order = np.argsort(merged_keys, kind="stable")
        new_keys[j], new_counts[j] = merged_keys[order], merged_counts[order]
    return new_keys, new_counts


def normalise_counts(keys: dict[int, np.ndarray], counts: dict[int, np.ndarray], base: int) -> dict[int, np.ndarray]:
    """One pass: each combination's count becomes the minimum of itself and the counts (before this
    pass) of its present sub-combinations of length 1..l-1, so a child never exceeds a parent."""
    out = {}
    for length, ks in keys.items():
        result = counts[length].copy()
        combos = unpack(ks, base, length)
        for j in range(1, length):
            for idx in combinations(range(length), j):
                pos = lookup(keys[j], pack(combos[:, list(idx)], base))
                present = pos >= 0
                result[present] = np.minimum(result[present], counts[j][pos[present]])
        out[length] = result
    return out


def postprocess(
    levels: dict[int, tuple[np.ndarray, np.ndarray]], base: int, declared: np.ndarray | None = None
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Round the noisy survivors, drop zeros, add missing parents and normalise.

    ``declared`` (boolean mask over attribute ids): 1-combinations of a declared domain are kept with their
    rounded count clamped at 0 (a published 0 is a DP estimate, not a suppression). Their combinations of
    length >= 2 normalise to 0 and are dropped like every other zero.
    """
    keys, counts = {}, {}
    for length, (ks, noisy) in levels.items():
        rounded = round_counts(noisy)
        keep = rounded > 0
        if length == 1 and declared is not None:
            keep |= declared[ks]
        keys[length], counts[length] = ks[keep], np.maximum(rounded[keep], 0)
    keys, counts = add_missing_parents(keys, counts, base)
    counts = normalise_counts(keys, counts, base)
    for length in keys:
        if length >= 2:
            positive = counts[length] > 0
            keys[length], counts[length] = keys[length][positive], counts[length][positive]
    return keys, counts


def dp_aggregates(data: Encoded, params: DpParams, rng: np.random.Generator, *, max_attributes: int) -> DpResult:
    """(ε, δ)-DP counts of all combinations of length 1..R, and the report of how they were made.

    ``max_attributes`` is W_max, the most attributes one record can hold, from public information only
    (:func:`synth.dp.percentile.max_attributes`); it bounds the range of every contribution cap. R is
    used as given (lengths with no candidates come out empty).
    """
    r = params.reporting_length
    base = data.schema.n_attrs
    protected_n = protect_record_count(
        data.n_records, params.number_of_records_epsilon_proportion * params.epsilon, rng
    )
    split = budget_split(params)
    thresholds = params.thresholds()
    declared = declared_attributes(data)
    levels: dict[int, _Level] = {}
    for length in range(1, r + 1):
        public = None
        if length == 1:
            candidates = candidates_length_1(data)
            public = declared[candidates]  # released whatever their count: no threshold
        else:
            candidates = extend_candidates(levels[length - 1].seeds(), base, data.schema.attr_column, length)
        levels[length] = _noisy_level(
            data, candidates, length, split, thresholds, params.percentile_percentage, max_attributes, rng, public
        )
    keys, counts = postprocess({l: (lv.keys, lv.noisy) for l, lv in levels.items()}, base, declared)
    aggregates = Aggregates(data.schema, r, keys, counts, protected_n)
    return DpResult(aggregates, _report(params, split, thresholds, levels, counts, protected_n))


def _report(
    params: DpParams,
    split: BudgetSplit,
    thresholds: Thresholds,
    levels: dict[int, _Level],
    counts: dict[int, np.ndarray],
    protected_n: int,
) -> dict:
    """Release metadata: parameters and DP outputs only (never the true n or the uncapped contributions).

    Lists are indexed by length, 0-based. ``candidates[0]`` is None: |V_1| is the number of distinct
    attributes in the private data, which is not DP protected.
    """
    lengths = sorted(levels)
    caps = [levels[l].contribution_cap for l in lengths]
    return {
        "mechanism": "dp_marginals",
        "epsilon": params.epsilon,
        "delta": split.delta,
        "delta_source": split.delta_source,
        "reporting_length": params.reporting_length,
        "protected_number_of_records": protected_n,
        "budget_split": split.to_dict(),
        "sigma": list(split.sigmas),
        "sigma_proportions": list(split.sigma_proportions),
        "contribution_caps": caps,
        "noise_sd": [float(split.sigmas[l - 1] * np.sqrt(c)) for l, c in zip(lengths, caps, strict=False)],
        "thresholds": [levels[l].threshold for l in lengths],
        "threshold_type": thresholds.kind,
        "threshold_values": thresholds.to_dict(),
        "accuracy_mode": params.accuracy_mode,
        "fabrication_mode": params.fabrication_mode,
        "percentile_percentage": params.percentile_percentage,
        "percentile_epsilon_proportion": params.percentile_epsilon_proportion,
        "number_of_records_epsilon_proportion": params.number_of_records_epsilon_proportion,
        "candidates": [None] + [levels[l].n_candidates for l in lengths[1:]],
        "survivors": [int(levels[l].keys.size) for l in lengths],
        "published": [int(counts[l].size) for l in lengths],
    }
