"""Benchmark fidelity metrics of a synthetic table against the table it imitates (definitions: bench README).

The synthetic table is re-encoded against the input's schema (see :func:`align`), extended by the values only
the synthetic table holds (e.g. a multi-value set that never occurs in the input, after condensing): such a
value is its own cell in the TVD and makes every 3-combination holding it fabricated, instead of silently
becoming an empty cell. Let S be the input (n rows) and Y the synthetic table; counts are raw (not rescaled):

- ``mae{k}``: mean over every k-way combination present in S of |count_S - count_Y| / n.
- ``tvd``: for every column pair, 0.5 * sum |p_S - p_Y| over cells (each side normalised by its own row count,
  an empty cell counting as its own value), averaged over pairs. ``tvd_ne``: the same using only rows where
  both columns are non-empty (on both sides).
- ``fab3``: share of distinct synthetic 3-way combinations (no empty value) that do not occur in S.
- ``empty``: share of synthetic cells that are empty.

Two further measures do not compare with S cell by cell:

- :func:`in_interval_shares`: per length, the share of *published* (DP) combinations whose count in a table
  lies inside the published 95 % interval ``count ± Z95 · sd`` (bounds included; a combination the table lacks
  counts 0). Applied to the synthetic table and to the private input itself, against the same intervals.
- :func:`diversity`: the share of distinct rows and the multiplicity of the most repeated row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from synth.aggregates import Aggregates, aggregate
from synth.combos import lookup
from synth.encode import ABSENT, Encoded, Schema
from synth.stats import Z95


def align(data: Encoded, schema: Schema) -> Encoded:
    """Re-encode ``data`` against ``schema`` by value strings (columns matched by name; unknown values -> absent)."""
    codes = np.full((data.n_records, len(schema.columns)), ABSENT, dtype=np.int32)
    for j, col in enumerate(schema.columns):
        try:
            src = data.schema.column_index(col.name)
        except KeyError:
            continue
        index = {v: i for i, v in enumerate(col.values)}
        mapping = np.array([index.get(v, ABSENT) for v in data.schema.columns[src].values] + [ABSENT], dtype=np.int32)
        codes[:, j] = mapping[data.codes[:, src]]
    return Encoded(schema, codes)


def extended_schema(sensitive: Schema, synthetic: Schema) -> Schema:
    """``sensitive`` with the values only ``synthetic`` holds appended to each column (existing codes keep their
    meaning)."""
    columns = []
    for col in sensitive.columns:
        try:
            other = synthetic.columns[synthetic.column_index(col.name)].values
        except KeyError:
            other = ()
        known = set(col.values)
        columns.append(replace(col, values=col.values + tuple(v for v in other if v not in known)))
    return Schema(tuple(columns))


def mae(sensitive: Aggregates, synthetic: Aggregates, length: int) -> float:
    """Mean |count_S - count_Y| / n over the length-k combinations present in S."""
    keys = sensitive.keys[length]
    if keys.size == 0:
        return 0.0
    pos = lookup(synthetic.keys[length], keys)
    counts_y = np.where(pos >= 0, synthetic.counts[length][np.maximum(pos, 0)], 0)
    return float(np.abs(sensitive.counts[length] - counts_y).mean() / sensitive.n_records)


def _pair_tvd(a: Encoded, b: Encoded, i: int, j: int, non_empty: bool) -> float:
    """TVD of the (i, j) two-way table of ``a`` and ``b`` (codes shifted so that absent is its own cell)."""
    width = len(a.schema.columns[j].values) + 1
    size = (len(a.schema.columns[i].values) + 1) * width
    shares = []
    for data in (a, b):
        x, y = data.codes[:, i], data.codes[:, j]
        if non_empty:
            keep = (x >= 0) & (y >= 0)
            x, y = x[keep], y[keep]
        hist = np.bincount((x.astype(np.int64) + 1) * width + y + 1, minlength=size)
        shares.append(hist / max(hist.sum(), 1))
    return 0.5 * float(np.abs(shares[0] - shares[1]).sum())


def two_way_tvd(sensitive: Encoded, synthetic: Encoded, non_empty: bool = False) -> float:
    """Mean over column pairs of the two-way total variation distance."""
    m = len(sensitive.schema.columns)
    values = [_pair_tvd(sensitive, synthetic, i, j, non_empty) for i in range(m) for j in range(i + 1, m)]
    return float(np.mean(values)) if values else 0.0


def fab3(sensitive: Aggregates, synthetic: Aggregates) -> float:
    """Share of distinct synthetic 3-way combinations absent from the sensitive table."""
    keys = synthetic.keys.get(3, np.zeros(0, np.int64))
    if keys.size == 0:
        return 0.0
    return float((lookup(sensitive.keys[3], keys) < 0).mean())


def fidelity(sensitive: Encoded, synthetic: Encoded, sensitive_agg: Aggregates | None = None) -> dict[str, float]:
    """All benchmark metrics; ``synthetic`` is aligned to the (extended) sensitive schema first.

    ``sensitive_agg`` (exact 3-way aggregates of ``sensitive``) may be passed to reuse it across runs; it is
    ignored when the synthetic table holds values the input lacks (the schema, and so the keys, change).
    """
    schema = extended_schema(sensitive.schema, synthetic.schema)
    if schema != sensitive.schema:
        sensitive, sensitive_agg = Encoded(schema, sensitive.codes), None
    synthetic = align(synthetic, schema)
    s_agg = sensitive_agg if sensitive_agg is not None else aggregate(sensitive, 3)
    y_agg = aggregate(synthetic, 3)
    out = {
        "rows": float(synthetic.n_records),
        "empty": float((synthetic.codes < 0).mean()) if synthetic.codes.size else 0.0,
    }
    for length in (1, 2, 3):
        out[f"mae{length}"] = mae(s_agg, y_agg, length) if length in s_agg.keys else 0.0
    out["tvd"] = two_way_tvd(sensitive, synthetic)
    out["tvd_ne"] = two_way_tvd(sensitive, synthetic, non_empty=True)
    out["fab3"] = fab3(s_agg, y_agg) if 3 in s_agg.keys else 0.0
    return out


def in_interval_shares(
    published: Aggregates,
    noise_sd: Sequence[float],
    synthetic: Encoded,
    reporting_length: int,
    min_counts: Sequence[float] = (0.0,),
) -> list[list[float]]:
    """Per threshold of ``min_counts`` and per length 1..``reporting_length``: share of the published
    combinations counted at least that whose count in ``synthetic`` (0 when it lacks them) lies inside the
    published 95 % interval ``count ± Z95 · noise_sd[length - 1]``, bounds included; NaN for a length with no such
    combination. A threshold above 0 keeps the large cells a reader looks at first; ``synthetic`` is counted
    once for all thresholds.

    ``synthetic`` is aligned to the published schema by column name and value string first, so it may be the
    private input on its own schema (a value the published schema lacks cannot be in a published combination).
    """
    synthetic = align(synthetic, published.schema)
    r = min(reporting_length, published.reporting_length)
    table = aggregate(synthetic, r)
    out = []
    for min_count in min_counts:
        shares = []
        for length in range(1, r + 1):
            keys = published.keys.get(length, np.zeros(0, np.int64))
            target = published.counts[length] if keys.size else np.zeros(0, np.int64)
            keys, target = keys[target >= min_count], target[target >= min_count]
            if keys.size == 0:
                shares.append(float("nan"))
                continue
            counts = table.counts_for(length, keys) if length in table.keys else np.zeros(keys.size, np.int64)
            half = Z95 * float(noise_sd[length - 1])
            shares.append(float((np.abs(counts - target) <= half).mean()))
        out.append(shares)
    return out


def diversity(data: Encoded) -> tuple[float, int]:
    """(distinct rows / rows, copies of the most repeated row); (0.0, 0) for an empty table.

    Rows are compared on their codes, an empty cell being a value of its own.
    """
    if data.n_records == 0:
        return 0.0, 0
    _, copies = np.unique(data.codes, axis=0, return_counts=True)
    return copies.size / data.n_records, int(copies.max())
