"""k-anonymity synthesizers for one-off releases (SDS §5.1-5.4): row-seeded, unseeded, value-seeded, aggregate-seeded.

Aggregate-seeded re-uses the reference implementation of :mod:`synth.synthesizers.aggregate_seeded` on
``protect_k_anonymity(aggregate(data, R), k)``.

Every synthesizer has the signature ``(data, resolution, rng, **options) -> Encoded`` and returns records on
the schema of ``data``. ``resolution`` is the privacy resolution k.

Row sets are bitsets: one row of uint64 words per attribute (bit i = record i has it), so the support of a
partial record is the popcount of the AND of its attributes' bitsets. Row-seeded (seeded rows) and unseeded
synthesis are independent per record, so they run in *lockstep* over batches of records (one vectorised
step adds one attribute to every record of the batch); this replaces SDS's per-thread LRU cache there. The
consolidation loop (row-seeded, value-seeded) is sequential by nature (a shared budget of attributes is
consumed record by record); it caches, per partial record (the sorted tuple of its attribute ids), the
support of every one-attribute extension in an LRU of ``cache_max_size`` entries.

Guarantees (tested): every record of the row-seeded, unseeded and value-seeded output, hence every
combination inside it, occurs at least k times in ``data``; the 1-counts of row- and value-seeded output
equal the k-anonymity aggregates ``floor(n_a/k)*k``.

Deliberate deviations from SDS:
- value-seeded with oversampling control starts from ``avail = floor(n_a/k)*k`` (SDS subtracts ``n_a mod k``
  once more, see the reference §5.3);
- ``cache_max_size`` counts support vectors (one int64 per attribute each), default 20 000 (SDS: 100 000
  sorted row lists);
- with oversampling control, a rejected draw is not repeated: the number of rejections before an
  acceptable draw is drawn directly (geometric), which gives SDS's outcome distribution;
- weighted draws use numpy's generator, so outputs are reproducible under a seed but not SDS's streams.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from itertools import combinations
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from synth.aggregates import Aggregates, aggregate, protect_k_anonymity
from synth.combos import lookup, pack
from synth.encode import ABSENT, Encoded
from synth.synthesizers.aggregate_seeded import aggregate_seeded

DEFAULT_CACHE_MAX_SIZE = 20_000
DEFAULT_REPORTING_LENGTH = 3
#: Upper bound on the uint64 words touched by one lockstep step (bounds memory to ~32 MB).
BATCH_WORDS = 4_000_000


# --------------------------------------------------------------------------------------------- bitsets


def _pack_rows(mask: np.ndarray) -> np.ndarray:
    """(m, n) boolean matrix to (m, ceil(n/64)) uint64 bitsets."""
    m, n = mask.shape
    words = max(1, -(-n // 64))
    packed = np.packbits(mask, axis=1, bitorder="little")
    out = np.zeros((m, words * 8), dtype=np.uint8)
    out[:, : packed.shape[1]] = packed
    return out.view(np.uint64)


def popcount(bits: np.ndarray) -> np.ndarray:
    """Number of set bits along the last axis."""
    return np.bitwise_count(bits).sum(axis=-1, dtype=np.int64)


class RowSets:
    """Bitsets of the records holding each attribute, each column's absence, and an empty padding row.

    Row ids: attributes ``0..n_attrs-1``; ``absent(j) = n_attrs + j`` (records where column j is empty);
    ``pad = n_attrs + n_cols`` (no record), used to pad candidate matrices.
    """

    def __init__(self, data: Encoded) -> None:
        attrs = data.attributes()
        n, n_cols = attrs.shape
        self.n_attrs = data.schema.n_attrs
        self.n_cols = n_cols
        self.pad = self.n_attrs + n_cols
        mask = np.zeros((self.pad + 1, n), dtype=bool)
        rows, cols = np.nonzero(attrs >= 0)
        mask[attrs[rows, cols], rows] = True
        mask[self.n_attrs + np.arange(n_cols)] = (attrs < 0).T
        self.bits = _pack_rows(mask)
        self.all_rows = _pack_rows(np.ones((1, n), dtype=bool))[0]

    def absent(self, column: int) -> int:
        """Row id of the records where ``column`` is empty."""
        return self.n_attrs + column

    def rows_of(self, attrs: tuple[int, ...]) -> np.ndarray:
        """Bitset of the records containing every attribute in ``attrs`` (all records if empty)."""
        if not attrs:
            return self.all_rows
        return np.bitwise_and.reduce(self.bits[list(attrs)], axis=0)

    def supports(self, current: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """|current[b] AND rows(candidates[b, c])| for a batch: (B, W) and (B, C) -> (B, C)."""
        return popcount(current[:, None, :] & self.bits[candidates])

    def batch_size(self, n_candidates: int) -> int:
        """Records per lockstep batch so that one step touches at most BATCH_WORDS words."""
        return max(1, BATCH_WORDS // max(1, n_candidates * self.bits.shape[1]))


def weighted_choice(weights: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One draw per row of a (B, C >= 1) integer weight matrix, with probability proportional to the weight.

    Returns ``(choice, drawn)``; ``drawn`` is False for rows whose weights are all 0 (choice is then 0).
    As SDS: draw an integer uniformly in [1, total] and take the first cumulative weight reaching it.
    """
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    u = rng.integers(1, np.maximum(total, 1), endpoint=True)
    return np.argmax(cum >= u[:, None], axis=1), total > 0


# ------------------------------------------------------------------------------------- common steps


def attribute_counts(codes: np.ndarray, data: Encoded) -> np.ndarray:
    """1-counts of every attribute in a code matrix on the schema of ``data``."""
    attrs = np.where(codes >= 0, codes + data.schema.offsets[None, :], -1)
    return np.bincount(attrs[attrs >= 0], minlength=data.schema.n_attrs)


def k_anonymous_counts(data: Encoded, k: int) -> np.ndarray:
    """floor(n_a/k)*k for every attribute: the 1-counts of the k-anonymity aggregates."""
    return (attribute_counts(data.codes, data) // k) * k


def suppress(codes: np.ndarray, data: Encoded, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SDS suppression: in a random record order, remove each attribute from its first ``excess`` holders.

    ``excess[a] = max(count[a] - target[a], 0)``; afterwards every 1-count is <= target.
    """
    excess = np.maximum(attribute_counts(codes, data) - target, 0)
    if not excess.any():
        return codes
    out = codes.copy()
    order = rng.permutation(codes.shape[0])
    for j in range(codes.shape[1]):
        col = out[order, j]
        present = np.flatnonzero(col >= 0)
        attr = col[present] + data.schema.offsets[j]
        # rank of each holder of the attribute in the shuffled order
        by_attr = np.argsort(attr, kind="stable")
        sorted_attr = attr[by_attr]
        starts = np.searchsorted(sorted_attr, sorted_attr, side="left")
        rank = np.empty_like(by_attr)
        rank[by_attr] = np.arange(by_attr.size) - starts
        drop = present[rank < excess[attr]]
        out[order[drop], j] = ABSENT
    return out


def finish(codes: np.ndarray, data: Encoded, drop_empty: bool = True) -> Encoded:
    """Order records as SDS (most complete first, then lexicographically); optionally drop empty records.

    "Lexicographically" compares value codes, i.e. the schema's value order (SDS compares strings; the
    two agree unless a column keeps a non-alphabetical order such as bins).
    """
    width = (codes >= 0).sum(axis=1)
    if drop_empty:
        codes, width = codes[width > 0], width[width > 0]
    order = np.lexsort(tuple(codes[:, j] for j in range(codes.shape[1] - 1, -1, -1)) + (-width,))
    return Encoded(data.schema, np.ascontiguousarray(codes[order], dtype=np.int32))


def draw(weights: np.ndarray, rng: np.random.Generator) -> int | None:
    """Scalar :func:`weighted_choice`: index drawn from a 1-d weight vector, None if all weights are 0."""
    cum = np.cumsum(weights)
    total = int(cum[-1]) if cum.size else 0
    if total <= 0:
        return None
    return int(np.searchsorted(cum, rng.integers(1, total, endpoint=True)))


class OversamplingControl:
    """SDS §5.3 oversampling control: no synthetic combination (length 1..R) present in the reportable
    aggregates may exceed ``count * (1 + ratio)``.

    A reportable combination is *full* once one more occurrence would exceed its limit. A full combination
    c blocks attribute a in every record that already holds c minus a, so ``blockers[prefix]`` lists the
    attributes a for which prefix + a is full, and a record's ``blocked`` mask (SDS's rejection test for
    every candidate at once) gains ``blockers[p]`` for each new prefix p (sub-combination of length < R
    containing the attribute just added). A record's own combinations are counted when it is closed: the
    combinations it completes all lie inside the record, so they can only block attributes it already
    holds, and deferring their counts changes no verdict. (A synthetic combination of length <= R is
    always reportable: its support is >= k.)
    """

    def __init__(self, reportable: Aggregates, ratio: float) -> None:
        self.agg = reportable
        self.limit = {l: reportable.counts[l] * (1.0 + ratio) for l in reportable.lengths()}
        self.count = {l: np.zeros(reportable.keys[l].size, dtype=np.int64) for l in reportable.lengths()}
        self.full = {l: np.zeros(reportable.keys[l].size, dtype=bool) for l in reportable.lengths()}
        self.blockers: dict[tuple[int, ...], list[int]] = {}
        self.record: list[int] = []
        self.blocked = np.zeros(reportable.base, dtype=bool)
        for length in reportable.lengths():
            self._update_full(length, np.arange(reportable.keys[length].size))

    def _update_full(self, length: int, positions: np.ndarray) -> None:
        """Mark the combinations at ``positions`` that just became full and register their blockers."""
        new = positions[
            (self.count[length][positions] + 1 > self.limit[length][positions]) & ~self.full[length][positions]
        ]
        self.full[length][new] = True
        for combo in self.agg.combos(length)[new].tolist() if new.size else []:
            for i, attr in enumerate(combo):
                self.blockers.setdefault(tuple(combo[:i] + combo[i + 1 :]), []).append(attr)

    def start(self) -> None:
        """Begin a new (empty) record."""
        self.record = []
        self.blocked[:] = False
        self.blocked[self.blockers.get((), [])] = True

    def add(self, attr: int) -> None:
        """Append ``attr`` to the record and block what its new prefixes block."""
        get = self.blockers.get
        hits = [
            blocked
            for size in range(min(self.agg.reporting_length - 1, len(self.record)) + 1)
            for sub in combinations(self.record, size)
            for blocked in get(tuple(sorted(sub + (attr,))), ())
        ]
        if hits:
            self.blocked[hits] = True
        self.record.append(attr)

    def close(self) -> None:
        """Count every sub-combination (length 1..R) of the finished record."""
        record = np.sort(np.asarray(self.record, dtype=np.int64))
        for length in range(1, min(self.agg.reporting_length, record.size) + 1):
            pos = lookup(self.agg.keys[length], pack(record[_subset_index(record.size, length)], self.agg.base))
            pos = pos[pos >= 0]
            self.count[length][pos] += 1
            self._update_full(length, pos)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A least-recently-used map holding at most ``max_size`` entries."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max(1, int(max_size))
        self.entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value of ``key`` (now most recently used), or None."""
        value = self.entries.get(key)
        if value is not None:
            self.entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.entries[key] = value
        if len(self.entries) > self.max_size:
            self.entries.popitem(last=False)


@lru_cache(maxsize=256)
def _subset_index(n: int, size: int) -> np.ndarray:
    """All size-subsets of range(n) as an (m, size) index array."""
    subsets = list(combinations(range(n), size))
    return np.array(subsets, dtype=np.int64).reshape(len(subsets), size)


def consolidate(
    data: Encoded,
    rows: RowSets,
    avail: np.ndarray,
    k: int,
    rng: np.random.Generator,
    cache_max_size: int = DEFAULT_CACHE_MAX_SIZE,
    oversampling: OversamplingControl | None = None,
    oversampling_tries: int = 1,
) -> np.ndarray:
    """SDS consolidation loop: build records from the attribute budget ``avail`` until it is spent.

    Each record starts empty; an attribute is a candidate if its budget is > 0, its column is free and the
    whole record with it has support >= k in ``data``; candidates are drawn with weight = that support.

    With oversampling control SDS redraws after a rejected candidate and closes the record after
    ``oversampling_tries`` rejections in a row. Redraws are i.i.d. (a rejection changes nothing), so we
    draw the same outcome directly: the number of rejections before the first acceptable draw is
    geometric with p = (weight of acceptable candidates) / (total weight); the record closes if it reaches
    the tries, else the attribute is drawn among the acceptable candidates by weight.
    Returns the new records as a code matrix.
    """
    attr_column = data.schema.attr_column
    offsets = data.schema.offsets
    avail = avail.astype(np.int64).copy()
    # Supports of the extensions of a partial record, by its sorted attribute tuple. Only attributes that
    # can still be candidates are computed (the others are left 0): those open, in a free column and with
    # support >= k one attribute earlier (support only shrinks as the record grows). Budgets only shrink,
    # so a cached vector stays exact for every attribute that matters to a later lookup of the same key.
    cache: LRU[tuple[int, ...], npt.NDArray[np.int64]] = LRU(cache_max_size)
    records = []
    open_attrs = avail > 0
    while open_attrs.any():
        record: list[int] = []
        current = rows.all_rows
        within = np.flatnonzero(open_attrs)
        if oversampling is not None:
            oversampling.start()
        while True:
            key = tuple(sorted(record))
            support = cache.get(key)
            if support is None:
                support = np.zeros(rows.n_attrs, dtype=np.int64)
                support[within] = popcount(rows.bits[within] & current)
                cache.put(key, support)
            candidates = within[open_attrs[within] & (support[within] >= k)]
            weights = support[candidates]
            if oversampling is not None and oversampling.blocked[candidates].any():
                ok = ~oversampling.blocked[candidates]
                p_ok = weights[ok].sum() / weights.sum()
                if p_ok == 0 or rng.geometric(p_ok) - 1 >= oversampling_tries:
                    break
                weights = np.where(ok, weights, 0)
            pick = draw(weights, rng)
            if pick is None:
                break
            attr = int(candidates[pick])
            if oversampling is not None:
                oversampling.add(attr)
            record.append(attr)
            current = current & rows.bits[attr]
            within = candidates[attr_column[candidates] != attr_column[attr]]
            avail[attr] -= 1
            open_attrs[attr] = avail[attr] > 0
        if oversampling is not None:
            oversampling.close()
        row = np.full(rows.n_cols, ABSENT, dtype=np.int32)
        cols = attr_column[record]
        row[cols] = np.asarray(record, dtype=np.int64) - offsets[cols]
        records.append(row)
    return np.array(records, dtype=np.int32).reshape(-1, rows.n_cols)


# -------------------------------------------------------------------------------------- synthesizers


def seeded_rows(data: Encoded, rows: RowSets, k: int, rng: np.random.Generator) -> np.ndarray:
    """SDS §5.1 step 1, in lockstep: for every record, grow a random subset of its attributes, each step
    drawing an unused attribute with weight = support of the grown subset (kept only if >= k)."""
    attrs = data.attributes()
    n, n_cols = attrs.shape
    kept = np.zeros((n, n_cols), dtype=bool)
    batch = rows.batch_size(n_cols)
    for start in range(0, n, batch):
        cand = attrs[start : start + batch]
        cand = np.where(cand >= 0, cand, rows.pad)
        chosen = np.zeros(cand.shape, dtype=bool)
        current = np.tile(rows.all_rows, (cand.shape[0], 1))
        active = np.arange(cand.shape[0])
        while active.size:
            support = rows.supports(current[active], cand[active])
            weights = np.where(~chosen[active] & (support >= k), support, 0)
            choice, drawn = weighted_choice(weights, rng)
            active, choice = active[drawn], choice[drawn]
            chosen[active, choice] = True
            current[active] &= rows.bits[cand[active, choice]]
        kept[start : start + batch] = chosen
    return np.where(kept, data.codes, ABSENT)


def row_seeded(
    data: Encoded, resolution: int, rng: np.random.Generator, *, cache_max_size: int = DEFAULT_CACHE_MAX_SIZE
) -> Encoded:
    """Row-seeded k-anonymity synthesis (SDS §5.1): seeded rows, consolidation, suppression.

    One synthetic record per input record, each a subset of it with support >= k; then extra records
    re-use the attribute counts the seeded rows lost, and suppression trims any excess, so every 1-count
    equals floor(n_a/k)*k.
    """
    rows = RowSets(data)
    target = k_anonymous_counts(data, resolution)
    seeded = seeded_rows(data, rows, resolution, rng)
    # avail = floor(n_a/k)*k - n_a + unused[a] = target - current synthetic count
    avail = np.maximum(target - attribute_counts(seeded, data), 0)
    extra = consolidate(data, rows, avail, resolution, rng, cache_max_size)
    codes = suppress(np.vstack([seeded, extra]), data, target, rng)
    return finish(codes, data)


def unseeded(data: Encoded, resolution: int, rng: np.random.Generator) -> Encoded:
    """Unseeded k-anonymity synthesis (SDS §5.2): n records, each built column by column in random order.

    For each column the values whose rows (within the record's current rows) number >= k are drawn by that
    count; "empty" is drawn with weight = rows where the column is empty + rows of the rare values, and
    then restricts the current rows to the truly empty ones. Records may end up empty (kept, as SDS).
    """
    rows = RowSets(data)
    n, n_cols = data.codes.shape
    cards = np.array([len(c.values) for c in data.schema.columns], dtype=np.int64)
    width = int(cards.max(initial=0))
    # candidates per column: its values at positions 0..card-1 (position = code), absent at position `width`
    col_cands = np.full((n_cols, width + 1), rows.pad, dtype=np.int64)
    for j in range(n_cols):
        col_cands[j, : cards[j]] = data.schema.offsets[j] + np.arange(cards[j])
        col_cands[j, width] = rows.absent(j)
    codes = np.full((n, n_cols), ABSENT, dtype=np.int32)
    batch = rows.batch_size(width + 1)
    for start in range(0, n, batch):
        size = min(batch, n - start)
        order = rng.permuted(np.tile(np.arange(n_cols), (size, 1)), axis=1)
        current = np.tile(rows.all_rows, (size, 1))
        everyone = np.arange(size)
        for step in range(n_cols):
            column = order[:, step]
            cand = col_cands[column]
            support = rows.supports(current, cand)
            values = support[:, :width]
            common = values >= resolution
            weights = np.column_stack(
                [np.where(common, values, 0), support[:, width] + np.where(common, 0, values).sum(axis=1)]
            )
            choice, drawn = weighted_choice(weights, rng)
            picked = drawn & (choice < width)
            codes[start + everyone[picked], column[picked]] = choice[picked]
            current[drawn] &= rows.bits[cand[everyone[drawn], choice[drawn]]]
    return finish(codes, data, drop_empty=False)


def value_seeded(
    data: Encoded,
    resolution: int,
    rng: np.random.Generator,
    *,
    reporting_length: int = DEFAULT_REPORTING_LENGTH,
    oversampling_ratio: float | None = None,
    oversampling_tries: int | None = None,
    cache_max_size: int = DEFAULT_CACHE_MAX_SIZE,
) -> Encoded:
    """Value-seeded k-anonymity synthesis (SDS §5.3): consolidation from the k-anonymous 1-counts.

    With ``oversampling_ratio`` set, an attribute is rejected if it would push a combination (length
    1..reporting_length) above its k-anonymity count * (1 + ratio); ``oversampling_tries`` rejections in a
    row (default 1) close the record. Deviation: the budget is floor(n_a/k)*k in both modes (SDS's
    controlled mode also subtracts n_a mod k).
    """
    rows = RowSets(data)
    target = k_anonymous_counts(data, resolution)
    control = None
    if oversampling_ratio is not None:
        reportable = protect_k_anonymity(aggregate(data, reporting_length), resolution)
        control = OversamplingControl(reportable, oversampling_ratio)
    tries = 1 if oversampling_tries is None else int(oversampling_tries)
    codes = consolidate(data, rows, target, resolution, rng, cache_max_size, control, tries)
    # As SDS, suppression follows; with this budget it is a no-op (1-counts already equal the target).
    return finish(suppress(codes, data, target, rng), data)


def kanon_aggregate_seeded(
    data: Encoded,
    resolution: int,
    rng: np.random.Generator,
    *,
    reporting_length: int = DEFAULT_REPORTING_LENGTH,
    **options: Any,
) -> Encoded:
    """Aggregate-seeded synthesis (SDS §5.4) on the k-anonymity aggregates of ``data``.

    Delegates to :func:`synth.synthesizers.aggregate_seeded.aggregate_seeded` (``options`` are passed on).
    k-anonymity aggregates are parent-closed (a sub-combination is at least as frequent), so every synthetic
    combination of length <= reporting_length occurs >= k times in ``data``; longer ones are not guaranteed.
    """
    reportable = protect_k_anonymity(aggregate(data, reporting_length), resolution)
    return finish(aggregate_seeded(reportable, rng, **options).codes, data)


KANON_SYNTHESIZERS: dict[str, Callable[..., Encoded]] = {
    "row_seeded": row_seeded,
    "unseeded": unseeded,
    "value_seeded": value_seeded,
    "aggregate_seeded": kanon_aggregate_seeded,
}
