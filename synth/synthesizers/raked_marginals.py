"""Default DP synthesizer: a Chow-Liu tree pool raked to denoised DP marginals ("raked_marginals").

Input is only an :class:`Aggregates` of DP counts (post-processing keeps the DP guarantee); the private
records are never seen. Steps:

1. **Consistent tables with an explicit "absent" category.** Per column, a 1-way table over its values plus
   absent (``n' - sum of value counts``), clipped at 0 and scaled to total n'. Per column pair, a 2-way table
   whose value-value cells are the DP 2-counts (0 where suppressed), value-absent cells the derived
   ``count(a) - sum_c count(a, c)`` (clipped at 0), then fitted to both 1-way margins by iterative
   proportional fitting (IPF).
2. **Structure.** A Chow-Liu tree: maximum spanning tree over the pairwise mutual information of the tables.
3. **Pool.** ``pool_factor * n'`` candidate records drawn by ancestral sampling along the tree.
4. **Raking.** Pool weights are raked (IPF over records) to every 2-way table. The target of a pair is a
   shrinkage between the tree's implied table C and the noisy table T: ``C + lambda (T - C)`` with
   ``lambda = max(0, 1 - noise_var / mean((T - C)^2))`` over the measured cells, so a pair whose deviation
   from the tree is within the DP noise keeps the tree's (smoother) table.
5. **Support.** Optionally (``min_support3``), pool records containing a 3-way combination absent from the
   DP aggregates are down-weighted, to keep fabricated 3-way combinations rare.
6. **Selection.** n' records are drawn from the pool by systematic sampling on the raked weights, then a few
   greedy swap rounds with other pool records bring the 1-way counts to the DP 1-way tables (the bootstrap
   noise of plain resampling would otherwise double the 1-way error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, minimum_spanning_tree

from synth.aggregates import Aggregates
from synth.combos import lookup, record_blocks
from synth.encode import ABSENT, Encoded, Schema

IPF_ITERATIONS = 20
#: Table IPF stops once every column margin is within this share of the total.
IPF_TOLERANCE = 1e-9
#: Largest factor one raking step may apply to a record weight (keeps a few tiny weights from exploding).
MAX_RATIO = 20.0
#: Largest key space (attributes**3) checked through a dense boolean table (64 MB) instead of a binary search.
DENSE_TRIPLES_MAX = 1 << 26


@dataclass
class Tables:
    """Consistent marginal tables; in every table the last index of a column is its "absent" category."""

    sizes: np.ndarray                 # categories per column (values + absent)
    one: list[np.ndarray]             # 1-way tables, each summing to the total
    pairs: dict[tuple[int, int], np.ndarray]     # 2-way tables (i < j), fitted to the 1-way margins
    measured: dict[tuple[int, int], np.ndarray]  # value-value cells (the only directly measured ones)
    total: float


def one_way_tables(agg: Aggregates) -> list[np.ndarray]:
    """Per column: clipped DP value counts plus an absent count, scaled to total n'."""
    n = float(agg.n_records)
    counts = np.zeros(agg.schema.n_attrs)
    counts[agg.keys[1]] = np.maximum(agg.counts[1], 0)
    out = []
    for c, col in enumerate(agg.schema.columns):
        start = int(agg.schema.offsets[c])
        values = counts[start:start + len(col.values)]
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
            sel = order[bounds[i * m + j]:bounds[i * m + j + 1]]
            t = np.zeros((one[i].size, one[j].size))
            t[v1[sel], v2[sel]] = values[sel]
            t[:-1, -1] = np.maximum(one[i][:-1] - t[:-1, :-1].sum(axis=1), 0)
            t[-1, :-1] = np.maximum(one[j][:-1] - t[:-1, :-1].sum(axis=0), 0)
            t[-1, -1] = max(one[i][-1] - t[-1, :-1].sum(), 0)
            mask = np.zeros(t.shape, bool)
            mask[:-1, :-1] = True
            tables[i, j], measured[i, j] = ipf_table(t, one[i], one[j]), mask
    return tables, measured


def build_tables(agg: Aggregates) -> Tables:
    one = one_way_tables(agg)
    pairs, measured = pair_tables(agg, one)
    return Tables(np.array([t.size for t in one]), one, pairs, measured, float(agg.n_records))


def mutual_information(table: np.ndarray) -> float:
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


def sample_tree(tables: Tables, order: np.ndarray, parents: np.ndarray, size: int,
                rng: np.random.Generator) -> np.ndarray:
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
        t = tables.pairs[(p, c)] if p < c else tables.pairs[(c, p)].T
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
        spread = float(np.mean(diff ** 2)) if diff.size else 0.0
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
            ratio = np.divide(target.ravel(), current, out=np.ones_like(current), where=current > 0)
            w *= np.clip(ratio, 0.0, MAX_RATIO)[cells]
    return w


def absent_triples(codes: np.ndarray, agg: Aggregates) -> np.ndarray:
    """Per pool record, the number of its 3-way combinations absent from the DP aggregates."""
    out = np.zeros(codes.shape[0], np.int64)
    if agg.reporting_length < 3:
        return out
    present = agg.keys[3]
    table = None
    if agg.base ** 3 <= DENSE_TRIPLES_MAX:
        table = np.zeros(agg.base ** 3, dtype=bool)
        table[present] = True
    for rid, keys in record_blocks(to_encoded(codes, agg.schema), 3):
        found = table[keys] if table is not None else lookup(present, keys) >= 0
        out[rid] += keys.shape[1] - found.sum(axis=1)
    return out


def to_encoded(codes: np.ndarray, schema: Schema) -> Encoded:
    """Category indices (absent = last) to an :class:`Encoded` table."""
    absent = np.array([len(c.values) for c in schema.columns])[None, :]
    return Encoded(schema, np.where(codes == absent, ABSENT, codes).astype(np.int32))


def systematic(weights: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``size`` draws by systematic sampling over a random order (each index floor/ceil of its share)."""
    perm = rng.permutation(weights.size)
    cum = np.cumsum(weights[perm])
    points = (rng.random() + np.arange(size)) * (cum[-1] / size)
    return perm[np.minimum(np.searchsorted(cum, points, side="right"), weights.size - 1)]


def balance_one_way(chosen: np.ndarray, codes: np.ndarray, weights: np.ndarray, tables: Tables,
                    rng: np.random.Generator, rounds: int) -> np.ndarray:
    """Greedy swaps of chosen records with weighted pool draws to bring 1-way counts to the 1-way tables."""
    sizes = tables.sizes
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat_target = np.concatenate(tables.one)
    cells = codes + offsets[None, :]
    chosen = chosen.copy()
    prob = weights / weights.sum()
    for _ in range(rounds):
        dev = np.bincount(cells[chosen].ravel(), minlength=flat_target.size) - flat_target
        batch = max(1, int(np.abs(dev).sum() / (4 * sizes.size)))
        if batch < 1 or np.abs(dev).max() < 1:
            break
        excess = dev[cells[chosen]].sum(axis=1)
        out_pos = np.argpartition(-excess, batch - 1)[:batch]
        candidates = rng.choice(weights.size, size=8 * batch, p=prob)
        deficit = dev[cells[candidates]].sum(axis=1)
        incoming = candidates[np.argsort(deficit)[:batch]]
        outgoing = chosen[out_pos]
        differ = codes[outgoing] != codes[incoming]
        gain = ((dev[cells[outgoing]] - dev[cells[incoming]] - 1) * differ).sum(axis=1)
        swap = gain > 0
        if not swap.any():
            break
        chosen[out_pos[swap]] = incoming[swap]
    return chosen


def raked_marginals(aggregates: Aggregates, rng: np.random.Generator, *, noise_sd: list[float] | None = None,
                    pool_factor: float = 4.0, sweeps: int = 8, min_support3: bool = True,
                    absent_triple_penalty: float = 0.2, balance_rounds: int = 40, **_ignored) -> Encoded:
    """Synthesize ``aggregates.n_records`` records from DP aggregates (see the module docstring).

    noise_sd: the DP noise standard deviation per length (release metadata ``noise_sd``); without it the
      2-way tables are taken as exact (no shrinkage toward the tree).
    pool_factor: candidate pool size as a multiple of n'. sweeps: raking sweeps over all pairs.
    min_support3: down-weight pool records holding 3-way combinations absent from the DP aggregates, by
      ``absent_triple_penalty`` per such combination.
    balance_rounds: greedy swap rounds matching the 1-way tables (0 = plain systematic sampling).
    """
    schema = aggregates.schema
    n_out = int(aggregates.n_records)
    m = len(schema.columns)
    if n_out <= 0 or m == 0:
        return Encoded(schema, np.zeros((0, m), np.int32))
    tables = build_tables(aggregates)
    order, parents = chow_liu(tables)
    pool = max(int(pool_factor * n_out), n_out)
    codes = sample_tree(tables, order, parents, pool, rng)
    weights = np.full(pool, n_out / pool)
    noise_var = float(noise_sd[1]) ** 2 if noise_sd is not None and len(noise_sd) > 1 else 0.0
    targets = shrunk_targets(tables, codes, weights, noise_var)
    if min_support3:
        weights *= absent_triple_penalty ** absent_triples(codes, aggregates)
        weights *= n_out / weights.sum()
    weights = rake(codes, tables.sizes, weights, targets, sweeps)
    chosen = systematic(weights, n_out, rng)
    chosen = balance_one_way(chosen, codes, weights, tables, rng, balance_rounds)
    return to_encoded(codes[chosen], schema)

