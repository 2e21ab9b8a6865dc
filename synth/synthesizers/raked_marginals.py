"""Default DP synthesizer: a Chow-Liu tree pool raked to denoised DP marginals ("raked_marginals").

Input is only an :class:`Aggregates` of DP counts and the published noise SDs (post-processing keeps the DP
guarantee); the private records are never seen. Steps:

1. **Denoised 1-counts.** Each DP 1-count is combined (inverse-variance weights, from the published noise SD
   per length) with the sums of the DP 2-counts that add up to it over another, nearly always present,
   column whose pairs with it are all published (see :func:`denoised_one_counts`).
2. **Consistent tables with an explicit "absent" category.** Per column, a 1-way table over its values plus
   absent (``n' - sum of value counts``), clipped at 0 and scaled to total n'. Per column pair, a 2-way table
   whose value-value cells are the DP 2-counts (0 where suppressed), value-absent cells the derived
   ``count(a) - sum_c count(a, c)`` (clipped at 0), then fitted to both 1-way margins by iterative
   proportional fitting (IPF).
3. **Structure.** A Chow-Liu tree: maximum spanning tree over the pairwise mutual information of the tables.
4. **Pool.** ``pool_factor * n'`` candidate records drawn by ancestral sampling along the tree.
5. **Support.** Pool records holding 3-way combinations absent from the DP aggregates get their weight
   multiplied by ``absent_triple_penalty`` per such combination; when at least half of the pool holds none,
   the others are excluded outright. This keeps fabricated 3-way combinations rare.
6. **Raking.** Pool weights are raked (IPF over records) to every 2-way table. The target of a pair is a
   shrinkage between the tree's implied table C and the noisy table T: ``C + lambda (T - C)`` with
   ``lambda = max(0, 1 - noise_var / mean((T - C)^2))`` over the measured cells, so a pair whose deviation
   from the tree is within the DP noise keeps the tree's (smoother) table.
7. **Selection.** n' records are drawn from the pool by systematic sampling on the raked weights; greedy swaps
   with other pool records bring the 1-way counts close to the 1-way tables, and single-cell edits (records
   chosen by pairwise likelihood, priced by the unpublished 3-combinations they would add) make them equal.

Performance: the pool is column-major int64 so that the per-pair cell indices of raking are two contiguous
reads; 3-combinations are checked through a dense boolean table when attributes**3 is small (see
:mod:`synth.synthesizers.support`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from synth.aggregates import Aggregates
from synth.encode import Encoded, Schema
from synth.synthesizers.support import TripleSupport, to_encoded

IPF_ITERATIONS = 20
#: Table IPF stops once every column margin is within this share of the total.
IPF_TOLERANCE = 1e-9
#: Largest factor one raking step may apply to a record weight (keeps a few tiny weights from exploding).
MAX_RATIO = 20.0
#: Columns absent from more than this share of records are not used to denoise 1-counts.
MAX_ABSENT_SHARE = 0.05
#: Records drawn per swap slot (chosen and pool) in each round of :func:`balance_one_way`.
SWAP_CANDIDATES = 8
#: Records considered per cell edit of :func:`fix_one_way` (a random subset of those holding surplus values).
MOVE_CANDIDATES = 50
#: When at least this share of the pool holds only published 3-combinations, the other records are excluded.
SUPPORTED_SHARE = 0.5
#: Smallest penalty factor used to price an unpublished 3-combination created by a cell edit.
MIN_PENALTY = 1e-6
#: Floor on pair-table cells before taking logs (an empty cell makes an edit very unlikely, not impossible).
EMPTY_CELL = 1e-6


@dataclass
class Tables:
    """Consistent marginal tables; in every table the last index of a column is its "absent" category."""

    sizes: np.ndarray  # categories per column (values + absent)
    one: list[np.ndarray]  # 1-way tables, each summing to the total
    pairs: dict[tuple[int, int], np.ndarray]  # 2-way tables (i < j), fitted to the 1-way margins
    measured: dict[tuple[int, int], np.ndarray]  # value-value cells (the only directly measured ones)
    total: float


def one_counts(agg: Aggregates) -> np.ndarray:
    """DP 1-count per attribute, clipped at 0 (0 where unpublished)."""
    counts = np.zeros(agg.base)
    counts[agg.keys[1]] = np.maximum(agg.counts[1], 0)
    return counts


def denoised_one_counts(agg: Aggregates, noise_sd: list[float] | None) -> np.ndarray:
    """DP 1-counts combined (inverse-variance weights) with the 2-way counts that add up to them.

    For an attribute ``a`` and another column j, ``sum_v count(a, v) + count(a, absent_j)`` is a second
    measurement of ``count(a)`` with independent noise of variance ``values_j * sd_2**2``. It is used only
    where every published value of j forms a published pair with ``a`` (suppressed pairs would bias it low)
    and where j is nearly always present (its derived absent count is at most ``MAX_ABSENT_SHARE`` of n'),
    so that ``count(a, absent_j)``, estimated as ``count(a) * absent_j / n'``, is small.
    """
    counts = one_counts(agg)
    if noise_sd is None or len(noise_sd) < 2 or agg.reporting_length < 2 or agg.keys[2].size == 0:
        return counts
    schema, n = agg.schema, float(agg.n_records)
    m = len(schema.columns)
    published = np.bincount(schema.attr_column, counts > 0, minlength=m)
    absent_share = np.maximum(n - np.bincount(schema.attr_column, counts, minlength=m), 0.0) / n
    combos = agg.combos(2)
    flat = np.concatenate(
        [combos[:, 0] * m + schema.attr_column[combos[:, 1]], combos[:, 1] * m + schema.attr_column[combos[:, 0]]]
    )
    weights = np.tile(np.maximum(agg.counts[2], 0).astype(float), 2)
    sums = np.bincount(flat, weights, minlength=agg.base * m).reshape(agg.base, m)
    cells = np.bincount(flat, minlength=agg.base * m).reshape(agg.base, m)
    v1, v2 = float(noise_sd[0]) ** 2, float(noise_sd[1]) ** 2
    usable = (cells == published[None, :]) & (published > 0)[None, :] & (absent_share <= MAX_ABSENT_SHARE)[None, :]
    estimate = sums + counts[:, None] * absent_share[None, :]
    var = published[None, :] * v2 + (counts[:, None] / n) ** 2 * published[None, :] * v1
    # var is 0 for a column without a positive count (a declared column whose values all have DP count 0).
    precision = np.divide(1.0, var, out=np.zeros_like(var), where=usable)
    combined = (counts / v1 + (precision * estimate).sum(axis=1)) / (1.0 / v1 + precision.sum(axis=1))
    return np.where(counts > 0, np.maximum(combined, 0.0), 0.0)


def one_way_tables(agg: Aggregates, counts: np.ndarray) -> list[np.ndarray]:
    """Per column: value counts (one per attribute) plus an absent count, scaled to total n'."""
    n = float(agg.n_records)
    out = []
    for c, col in enumerate(agg.schema.columns):
        start = int(agg.schema.offsets[c])
        values = counts[start : start + len(col.values)]
        table = np.append(values, max(n - values.sum(), 0.0))
        out.append(table * (n / table.sum()) if table.sum() > 0 else np.append(np.zeros(values.size), n))
    return out


def ipf_table(table: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int = IPF_ITERATIONS) -> np.ndarray:
    """Fit a non-negative 2-way table to row and column margins (zero cells stay zero)."""
    t = table.astype(float)
    for _ in range(iterations):
        r = t.sum(axis=1)
        t *= np.divide(rows, r, out=np.ones_like(r), where=r > 0)[:, None]
        c = t.sum(axis=0)
        if np.abs(c - cols).max() <= IPF_TOLERANCE * max(float(cols.sum()), 1.0):
            break
        t *= np.divide(cols, c, out=np.ones_like(c), where=c > 0)[None, :]
    return t


def pair_tables(agg: Aggregates, one: list[np.ndarray]) -> tuple[dict, dict]:
    """2-way tables with absent categories, fitted to ``one``; and the mask of measured (value-value) cells."""
    schema = agg.schema
    m = len(schema.columns)
    combos = agg.combos(2) if 2 in agg.keys else np.zeros((0, 2), np.int64)
    c1, c2 = schema.attr_column[combos[:, 0]], schema.attr_column[combos[:, 1]]
    v1, v2 = combos[:, 0] - schema.offsets[c1], combos[:, 1] - schema.offsets[c2]
    values = np.maximum(agg.counts[2], 0) if 2 in agg.keys else np.zeros(0)
    order = np.lexsort((c2, c1))
    bounds = np.searchsorted((c1 * m + c2)[order], np.arange(m * m + 1))
    tables, measured = {}, {}
    for i in range(m):
        for j in range(i + 1, m):
            sel = order[bounds[i * m + j] : bounds[i * m + j + 1]]
            t = np.zeros((one[i].size, one[j].size))
            t[v1[sel], v2[sel]] = values[sel]
            t[:-1, -1] = np.maximum(one[i][:-1] - t[:-1, :-1].sum(axis=1), 0)
            t[-1, :-1] = np.maximum(one[j][:-1] - t[:-1, :-1].sum(axis=0), 0)
            t[-1, -1] = max(one[i][-1] - t[-1, :-1].sum(), 0)
            mask = np.zeros(t.shape, bool)
            mask[:-1, :-1] = True
            tables[i, j], measured[i, j] = ipf_table(t, one[i], one[j]), mask
    return tables, measured


def build_tables(agg: Aggregates, noise_sd: list[float] | None = None) -> Tables:
    """All marginal tables; 1-way counts denoised with the 2-way counts when ``noise_sd`` is known."""
    one = one_way_tables(agg, denoised_one_counts(agg, noise_sd))
    pairs, measured = pair_tables(agg, one)
    return Tables(np.array([t.size for t in one]), one, pairs, measured, float(agg.n_records))


def mutual_information(table: np.ndarray) -> float:
    if table.sum() <= 0:  # e.g. at reporting length 1, where no 2-way count fits the 1-way margins
        return 0.0
    p = table / table.sum()
    outer = p.sum(axis=1)[:, None] * p.sum(axis=0)[None, :]
    nz = p > 0
    return float((p[nz] * np.log(p[nz] / outer[nz])).sum())


def chow_liu(tables: Tables) -> tuple[np.ndarray, np.ndarray]:
    """Ancestral order and parent of every column (-1 for the root) of the maximum-MI spanning tree."""
    m = tables.sizes.size
    if m == 1:
        return np.zeros(1, np.int64), np.full(1, -1)
    mi = np.zeros((m, m))
    for (i, j), t in tables.pairs.items():
        mi[i, j] = mutual_information(t)
    weights = np.triu(mi.max() + 1.0 - mi, 1)  # strictly positive on the upper triangle: a complete graph
    tree = minimum_spanning_tree(csr_matrix(weights))
    tree = tree + tree.T
    order, parents = breadth_first_order(tree, int(np.argmax(mi.sum(axis=0) + mi.sum(axis=1))), directed=False)
    return order, np.where(parents < 0, -1, parents)


def _draw(cumulative: np.ndarray, rows: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category per record: row ``rows[r]`` of ``cumulative`` (increasing shares ending at 1) searched at ``u[r]``.

    One ``searchsorted`` over all rows laid end to end (row k shifted by k), so no (records x categories)
    temporary is built.
    """
    k = cumulative.shape[1]
    flat = (cumulative + np.arange(cumulative.shape[0])[:, None]).ravel()
    pos = np.searchsorted(flat, rows + u, side="right") - rows * k
    return np.minimum(pos, k - 1)


def _pair_table(tables: Tables, i: int, j: int) -> np.ndarray:
    """The (i, j) table oriented with i's categories as rows."""
    return tables.pairs[(i, j)] if i < j else tables.pairs[(j, i)].T


def sample_tree(
    tables: Tables, order: np.ndarray, parents: np.ndarray, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``size`` records (category indices, absent = last) by ancestral sampling along the tree.

    Returned column-major (int64), so that the per-column reads of raking are contiguous.
    """
    codes = np.zeros((size, tables.sizes.size), dtype=np.int64, order="F")
    for c in order:
        p = parents[c]
        u = rng.random(size)
        if p < 0:
            share = np.cumsum(tables.one[c]) / tables.one[c].sum()
            codes[:, c] = np.searchsorted(share, u * share[-1], side="right").clip(max=share.size - 1)
            continue
        t = _pair_table(tables, p, c)
        rows = t.sum(axis=1, keepdims=True)
        cond = np.cumsum(np.divide(t, rows, out=np.full_like(t, 1.0 / t.shape[1]), where=rows > 0), axis=1)
        cond[:, -1] = 1.0
        codes[:, c] = _draw(cond, codes[:, p], u)
    return codes


def _cells(codes: np.ndarray, sizes: np.ndarray, i: int, j: int) -> np.ndarray:
    """Flat cell index of every record in the (i, j) table (``codes`` column-major int64)."""
    return codes[:, i] * sizes[j] + codes[:, j]


def shrunk_targets(tables: Tables, codes: np.ndarray, weights: np.ndarray, noise_var: float) -> dict:
    """Per pair, the raking target ``C + lambda (T - C)`` (see the module docstring)."""
    targets = {}
    for (i, j), t in tables.pairs.items():
        current = np.bincount(_cells(codes, tables.sizes, i, j), weights, minlength=t.size).reshape(t.shape)
        diff = (t - current)[tables.measured[i, j]]
        spread = float(np.mean(diff**2)) if diff.size else 0.0
        lam = max(0.0, 1.0 - noise_var / spread) if spread > 0 else 1.0
        targets[i, j] = np.maximum(current + lam * (t - current), 0.0)
    return targets


def rake(codes: np.ndarray, sizes: np.ndarray, weights: np.ndarray, targets: dict, sweeps: int) -> np.ndarray:
    """Iterative proportional fitting of record weights to 2-way tables."""
    w = weights.copy()
    for _ in range(sweeps):
        for (i, j), target in targets.items():
            cells = _cells(codes, sizes, i, j)
            current = np.bincount(cells, w, minlength=target.size)
            with np.errstate(over="ignore"):  # a cell of only near-zero (penalised) weights: clipped below
                ratio = np.divide(target.ravel(), current, out=np.ones_like(current), where=current > 0)
            w *= np.clip(ratio, 0.0, MAX_RATIO)[cells]
    return w


def systematic(weights: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``size`` draws by systematic sampling over a random order (each index floor/ceil of its share)."""
    perm = rng.permutation(weights.size)
    cum = np.cumsum(weights[perm])
    points = (rng.random() + np.arange(size)) * (cum[-1] / size)
    return perm[np.minimum(np.searchsorted(cum, points, side="right"), weights.size - 1)]


def balance_one_way(
    chosen: np.ndarray, codes: np.ndarray, weights: np.ndarray, tables: Tables, rng: np.random.Generator, rounds: int
) -> np.ndarray:
    """Greedy swaps of chosen records with weighted pool draws to bring 1-way counts to the 1-way tables.

    Each round draws ``SWAP_CANDIDATES * batch`` chosen records and as many pool records (in proportion to
    their weights), and swaps the ``batch`` chosen ones with the largest excess (sum of the deviations of
    their cells) against the pool ones with the largest deficit, where that lowers the L1 deviation.
    """
    offsets = np.concatenate([[0], np.cumsum(tables.sizes)[:-1]])
    target = np.concatenate(tables.one)
    cells = codes + offsets[None, :]
    chosen = chosen.copy()
    counts = np.bincount(cells[chosen].ravel(), minlength=target.size).astype(float)
    cumulative = np.cumsum(weights)
    for _ in range(rounds):
        dev = counts - target
        if np.abs(dev).max() < 1:
            break
        batch = max(1, int(np.abs(dev).sum() / (4 * tables.sizes.size)))
        draws = min(SWAP_CANDIDATES * batch, chosen.size)
        out_pos = np.unique(rng.integers(0, chosen.size, draws))
        excess = dev[cells[chosen[out_pos]]].sum(axis=1)
        out_pos = out_pos[np.argsort(-excess, kind="stable")[:batch]]
        candidates = np.searchsorted(cumulative, rng.random(draws) * cumulative[-1], side="right")
        candidates = np.minimum(candidates, weights.size - 1)
        deficit = dev[cells[candidates]].sum(axis=1)
        incoming = candidates[np.argsort(deficit, kind="stable")[: out_pos.size]]
        outgoing = chosen[out_pos[: incoming.size]]
        differ = codes[outgoing] != codes[incoming]
        gain = ((dev[cells[outgoing]] - dev[cells[incoming]] - 1) * differ).sum(axis=1)
        swap = gain > 0
        if not swap.any():
            break
        counts -= np.bincount(cells[outgoing[swap]].ravel(), minlength=target.size)
        counts += np.bincount(cells[incoming[swap]].ravel(), minlength=target.size)
        chosen[out_pos[: incoming.size][swap]] = incoming[swap]
    return chosen


def multi_value_siblings(schema: Schema) -> dict[int, list[int]]:
    """For every expanded multi-value column, the other expanded columns of the same source column."""
    groups: dict[str, list[int]] = {}
    for c, col in enumerate(schema.columns):
        if col.multi_value:
            groups.setdefault(col.source, []).append(c)
    return {c: [j for j in group if j != c] for group in groups.values() for c in group}


def integer_table(table: np.ndarray, total: int) -> np.ndarray:
    """Non-negative integers proportional to ``table`` summing to ``total`` (largest remainders)."""
    scaled = table * (total / table.sum()) if table.sum() > 0 else np.full(table.size, total / table.size)
    out = np.floor(scaled).astype(np.int64)
    short = total - int(out.sum())
    out[np.argsort(out - scaled, kind="stable")[:short]] += 1
    return out


def log_pair_tables(tables: Tables) -> dict[tuple[int, int], np.ndarray]:
    """``log`` of every oriented pair table (both orientations), empty cells at ``log(EMPTY_CELL)``."""
    out = {}
    for (i, j), t in tables.pairs.items():
        out[i, j] = np.log(np.maximum(t, EMPTY_CELL))
        out[j, i] = out[i, j].T
    return out


def fix_one_way(
    codes: np.ndarray,
    tables: Tables,
    logs: dict,
    rng: np.random.Generator,
    siblings: dict[int, list[int]],
    support: TripleSupport | None = None,
    triple_cost: float = 0.0,
) -> np.ndarray:
    """Edit single cells so that every column's counts equal its (integer-rounded) 1-way table exactly.

    Column by column, records holding a value in surplus switch to a value in deficit. The records chosen for
    a switch to ``u`` are those whose other cells make ``u`` most likely relative to their current value
    under the pairwise tables (sum over other columns j of ``log T_jc[x_j, u] - log T_jc[x_j, x_c]``), so
    edits avoid empty 2-way cells and disturb the 2-way tables least; with ``support``, ``triple_cost`` is
    subtracted per unpublished 3-combination the edit adds. Columns are independent: an edit in column c
    changes only column c's counts. An expanded multi-value column is edited only in records where all its
    ``siblings`` are absent, so an edit never turns one value set into another non-empty one.
    """
    codes = codes.copy()
    n, m = codes.shape
    for c in range(m):
        target = integer_table(tables.one[c], n)
        surplus = np.bincount(codes[:, c], minlength=target.size) - target
        if not surplus.any():
            continue
        eligible = np.ones(n, bool)
        for j in siblings.get(c, ()):
            eligible &= codes[:, j] == tables.sizes[j] - 1
        held = np.bincount(codes[eligible, c], minlength=target.size)
        keep = np.minimum(1.0, MOVE_CANDIDATES * np.maximum(surplus, 0) / np.maximum(held, 1))
        movable = np.flatnonzero((rng.random(n) < keep[codes[:, c]]) & eligible)
        others = [j for j in range(m) if j != c]
        score = np.zeros((movable.size, target.size))
        for j in others:
            score += logs[j, c][codes[movable, j]]
        if support is not None:
            score -= triple_cost * support.absent_with(codes[movable], c)
        score -= score[np.arange(movable.size), codes[movable, c]][:, None]
        free = np.ones(movable.size, bool)
        for u in np.flatnonzero(surplus < 0):
            order = np.argsort(-np.where(free, score[:, u], -np.inf), kind="stable")
            order = order[free[order]]
            current = codes[movable[order], c]
            rank = _rank_within(current)
            deficit = -surplus[u]
            take = order[rank < surplus[current]][:deficit]
            np.subtract.at(surplus, codes[movable[take], c], 1)
            surplus[u] += take.size
            codes[movable[take], c] = u
            free[take] = False
    return codes


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element among the earlier elements of the same group."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    rank_sorted = np.arange(groups.size) - np.repeat(starts, np.diff(np.r_[starts, groups.size]))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def raked_marginals(
    aggregates: Aggregates,
    rng: np.random.Generator,
    *,
    noise_sd: list[float] | None = None,
    pool_factor: float = 1.5,
    sweeps: int = 6,
    min_support3: bool = True,
    absent_triple_penalty: float = 0.05,
    balance_rounds: int = 100,
    exact_one_way: bool = True,
    **_ignored: object,
) -> Encoded:
    """Synthesize ``aggregates.n_records`` records from DP aggregates (see the module docstring).

    noise_sd: the DP noise standard deviation per length (release metadata ``noise_sd``); without it the
      2-way tables are taken as exact (no shrinkage toward the tree) and the 1-counts are not denoised.
    pool_factor: candidate pool size as a multiple of n'. sweeps: raking sweeps over all pairs.
    min_support3: down-weight pool records holding 3-way combinations absent from the DP aggregates, by a
      factor ``absent_triple_penalty`` per such combination; they are excluded outright (factor 0) when
      at least ``SUPPORTED_SHARE`` of the pool has none, or when the factor is 0 (unless nothing is left).
    balance_rounds: greedy swap rounds matching the 1-way tables (0 = plain systematic sampling).
    exact_one_way: finish with single-cell edits that make every 1-way count equal its (denoised) table.
    """
    schema = aggregates.schema
    n_out = int(aggregates.n_records)
    m = len(schema.columns)
    if n_out <= 0 or m == 0:
        return Encoded(schema, np.zeros((0, m), np.int32))
    tables = build_tables(aggregates, noise_sd)
    order, parents = chow_liu(tables)
    pool = max(int(pool_factor * n_out), n_out)
    codes = sample_tree(tables, order, parents, pool, rng)
    weights = np.full(pool, n_out / pool)
    noise_var = float(noise_sd[1]) ** 2 if noise_sd is not None and len(noise_sd) > 1 else 0.0
    targets = shrunk_targets(tables, codes, weights, noise_var)
    support = TripleSupport(aggregates) if min_support3 and aggregates.reporting_length >= 3 else None
    penalty = absent_triple_penalty
    if support is not None:
        absent = support.absent_counts(codes)
        if (absent == 0).mean() >= SUPPORTED_SHARE:
            penalty = 0.0
        penalised = weights * penalty**absent
        if penalised.sum() > 0:
            weights = penalised * (n_out / penalised.sum())
    weights = rake(codes, tables.sizes, weights, targets, sweeps)
    chosen = systematic(weights, n_out, rng)
    chosen = balance_one_way(chosen, codes, weights, tables, rng, balance_rounds)
    out = codes[chosen]
    if exact_one_way:
        triple_cost = -np.log(max(penalty, MIN_PENALTY))
        out = fix_one_way(out, tables, log_pair_tables(tables), rng, multi_value_siblings(schema), support, triple_cost)
    return to_encoded(out, schema)
