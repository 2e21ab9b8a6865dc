"""Privacy-risk statistics of the private input (sds-algorithms.md section 3), for the PRIVATE report only.

Everything here is computed exactly from the sensitive records and must never be published.

Definitions (k = resolution): a combination is *rare* if its count < k and *unique* if its count == 1. A record
"has" a rare/unique combination if one of its own combinations (up to the reporting length) is rare/unique;
since every count of a record's combination is >= 1, that is the same as the minimum count over the record's
combinations of that length being < k (== 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.aggregates import Aggregates, aggregate
from synth.combos import lookup, record_blocks, unpack
from synth.encode import Encoded
from synth.stats import pct

#: Minimum combination count of a record that has no combination of some length.
NO_COMBINATION = np.iinfo(np.int64).max


def _combination_stats(counts: np.ndarray, k: int) -> dict:
    distinct = int(counts.size)
    rare = int((counts < k).sum())
    unique = int((counts == 1).sum())
    total = int(counts.sum())
    return {
        "distinct": distinct,
        "count_sum": total,
        "mean_count": total / distinct if distinct else 0.0,
        "rare": rare,
        "rare_pct": pct(rare, distinct),
        "unique": unique,
        "unique_pct": pct(unique, distinct),
    }


def record_min_counts(data: Encoded, agg: Aggregates, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Per record and length, the smallest count among its combinations, and the cells in rare combinations.

    Returns ``(mins, linked)``: ``mins[l - 1, r]`` is the minimum count over record r's length-l combinations
    (NO_COMBINATION if it has fewer than l attributes); ``linked[r, j]`` is True when the attribute of record r
    in column j belongs to some combination of r with count < resolution.
    """
    n, n_cols = data.codes.shape
    mins = np.full((agg.reporting_length, n), NO_COMBINATION, dtype=np.int64)
    linked = np.zeros((n, n_cols), dtype=bool)
    attr_column = data.schema.attr_column
    for length in agg.lengths():
        counts_by_key = agg.counts[length]
        for rid, keys in record_blocks(data, length):
            counts = counts_by_key[lookup(agg.keys[length], keys)]
            mins[length - 1, rid] = counts.min(axis=1)
            rows, cols = np.nonzero(counts < resolution)
            if rows.size:
                attrs = unpack(keys[rows, cols], agg.base, length)
                linked[np.repeat(rid[rows], length), attr_column[attrs.ravel()]] = True
    return mins, linked


def _shortest_length(hit: np.ndarray) -> np.ndarray:
    """For a (lengths, records) boolean matrix, the first length (1-based) that is True, 0 if none."""
    return np.where(hit.any(axis=0), hit.argmax(axis=0) + 1, 0)


def _records_by_length(mins: np.ndarray, k: int, n: int) -> tuple[list[dict], dict]:
    """Records analysis by length: each record under the shortest length at which it is unique (else rare);
    rare excludes records unique at any length."""
    unique_at = _shortest_length(mins == 1)
    rare_at = np.where(unique_at > 0, 0, _shortest_length(mins < k))
    lengths = mins.shape[0]
    unique = np.bincount(unique_at, minlength=lengths + 1)[1:]
    rare = np.bincount(rare_at, minlength=lengths + 1)[1:]

    def row(u: int, r: int) -> dict:
        return {
            "unique": u,
            "unique_pct": pct(u, n),
            "rare": r,
            "rare_pct": pct(r, n),
            "risky": u + r,
            "risky_pct": pct(u + r, n),
        }

    by_length = [{"length": l + 1, **row(int(unique[l]), int(rare[l]))} for l in range(lengths)]
    return by_length, row(int(unique.sum()), int(rare.sum()))


def _most_linkable(data: Encoded, linked: np.ndarray) -> tuple[list[dict], list[dict]]:
    """Most linkable attributes (100 * records made linkable / records with the attribute) and columns (mean
    over the column's linkable attributes; expanded multi-value columns report their source column)."""
    attrs = data.attributes()
    n_attrs = data.schema.n_attrs
    count = np.bincount(attrs[attrs >= 0], minlength=n_attrs)
    linkable = np.bincount(attrs[linked & (attrs >= 0)], minlength=n_attrs)
    columns = data.schema.columns
    attributes: list[dict[str, Any]] = []
    for a in np.flatnonzero(linkable):
        col = columns[int(data.schema.attr_column[a])]
        value = col.attribute_name if col.multi_value else data.schema.attr_label(int(a))[1]
        attributes.append(
            {
                "column": col.source,
                "value": value,
                "linkable_records": int(linkable[a]),
                "records": int(count[a]),
                "pct": pct(linkable[a], count[a]),
            }
        )
    by_source: dict[str, list[float]] = {}
    for item in attributes:
        by_source.setdefault(item["column"], []).append(item["pct"])
    column_stats: list[dict[str, Any]] = [
        {"column": c, "pct": float(np.mean(v)), "linkable_attributes": len(v)} for c, v in by_source.items()
    ]
    attributes.sort(key=lambda d: (-d["pct"], d["column"], d["value"]))
    column_stats.sort(key=lambda d: (-d["pct"], d["column"]))
    return attributes, column_stats


def summary_sentence(reporting_length: int, resolution: int, rare_pct: float, unique_pct: float) -> str:
    """The reference's first evaluation-summary sentence (sensitive data privacy)."""
    return (
        f"For all combinations of up to {reporting_length} attributes, {rare_pct:.2f}% of records are "
        f"potentially linkable ({unique_pct:.2f}% uniquely identifiable, {rare_pct - unique_pct:.2f}% linkable "
        f"to small groups below resolution {resolution})"
    )


def risk_report(
    data: Encoded, reporting_length: int, resolution: int = 10, sensitive: Aggregates | None = None
) -> dict:
    """Exact privacy-risk statistics of the private records (JSON-serialisable). PRIVATE: never publish.

    ``reporting_length`` <= 0 means all columns (as :func:`synth.aggregates.aggregate`). ``sensitive`` is
    ``aggregate(data, reporting_length)`` when the caller has it already.
    """
    if resolution < 1:
        raise ValueError(f"resolution must be >= 1, got {resolution}")
    k = resolution
    agg = sensitive if sensitive is not None else aggregate(data, reporting_length)
    n = data.n_records
    mins, linked = record_min_counts(data, agg, k)
    with_unique = int((mins == 1).any(axis=0).sum())
    with_rare = int((mins < k).any(axis=0).sum())
    by_length, by_length_total = _records_by_length(mins, k, n)
    attributes, columns = _most_linkable(data, linked)
    all_counts = np.concatenate([agg.counts[l] for l in agg.lengths()]) if agg.reporting_length else np.zeros(0)
    return {
        "resolution": k,
        "reporting_length": agg.reporting_length,
        "n_records": n,
        "combinations": {
            "by_length": [{"length": l, **_combination_stats(agg.counts[l], k)} for l in agg.lengths()],
            "total": _combination_stats(all_counts.astype(np.int64), k),
        },
        "records": {
            "with_unique": with_unique,
            "with_unique_pct": pct(with_unique, n),
            "with_rare": with_rare,
            "with_rare_pct": pct(with_rare, n),
        },
        "records_by_length": by_length,
        "records_by_length_total": by_length_total,
        "most_linkable_attributes": attributes,
        "most_linkable_columns": columns,
        "summary": summary_sentence(agg.reporting_length, k, pct(with_rare, n), pct(with_unique, n)),
    }
