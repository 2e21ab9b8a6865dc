"""Condensed view of aggregates over expanded multi-value columns, for the aggregate-seeded synthesizer.

SDS expands a multi-value column (``IP_Gender`` = ``"Female;Male"``) into one binary column per value
(``IP_Gender_Female``, ``IP_Gender_Male``), and its aggregates count *containment*: the 1-count of
``IP_Gender_Female`` counts every record whose set holds Female, with or without Male. Run on those columns,
aggregate-seeded synthesis treats the binary columns as independent: a record grows until nothing is left,
so it collects every value of a source that still has budget, and the value sets come out wrong (far too
many ``Female;Male``). The reference method run on the *condensed* table instead sees one column whose
values are the sets, with one 1-count budget per exact set.

This module rebuilds that condensed table of counts from the published (expanded) aggregates only:

- a multi-value source becomes one column whose values are the non-empty value sets published as a
  combination (every single value, and the pairs, triples... that survived DP);
- the count of a condensed combination (exact sets S_i of sources s_i, plus ordinary attributes X) is, by
  inclusion-exclusion over the values V outside the sets, ``sum_U (-1)^|U| N(E + U)`` where E is the
  union of the sets and X and N counts containment. Terms with |U| <= 1 are always used, longer ones while
  E + U fits the reporting length R;
- N of an expanded combination longer than R (not published) is estimated by conditional independence of
  two of its attributes given the rest, ``N(E-u) N(E-w) / N(E-u-w)``, averaged over the pairs (u, w), and
  capped by its parents; this is only needed for condensed combinations that involve a set of two values
  or more (e.g. ``IP_Gender = Female;Male`` with two other attributes at R = 3).

Only published counts and the public schema are read, so this is post-processing of the DP aggregates.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np

from synth.aggregates import Aggregates
from synth.combos import pack
from synth.encode import ABSENT, Column, Encoded, Schema


@dataclass
class Condensed:
    """Condensed aggregates; per condensed attribute, the expanded attribute ids it stands for; per expanded
    column, the condensed column it is part of."""

    aggregates: Aggregates
    members: list[tuple[int, ...]]
    column_of: tuple[int, ...]

    def feature(self, schema: Schema, column: int) -> np.ndarray:
        """Expanded ``column``'s category (absent = last) for each category of its condensed column (absent =
        last): for a multi-value column, whether its value is in the condensed value set."""
        c_schema, offsets = self.aggregates.schema, self.aggregates.schema.offsets
        condensed = self.column_of[column]
        absent = len(schema.columns[column].values)
        start = int(offsets[condensed])
        lut = np.full(len(c_schema.columns[condensed].values) + 1, absent, np.int64)
        for k in range(lut.size - 1):
            for a in self.members[start + k]:
                if int(schema.attr_column[a]) == column:
                    lut[k] = a - int(schema.offsets[column])
        return lut


def has_multi_value(schema: Schema) -> bool:
    return any(c.multi_value for c in schema.columns)


def _groups(schema: Schema) -> tuple[np.ndarray, np.ndarray]:
    """Per column its group (a multi-value source: all its expanded columns; else the column alone), in order
    of first column; and per group whether it is a multi-value source."""
    names: list[str] = []
    multi: list[bool] = []
    of_column: list[int] = []
    for col in schema.columns:
        group = col.source if col.multi_value else f"\0{col.name}"
        if group not in names:
            names.append(group)
            multi.append(col.multi_value)
        of_column.append(names.index(group))
    return np.array(of_column, np.int64), np.array(multi, bool)


def multi_value_sets(agg: Aggregates) -> int:
    """The condensed view's value sets of two or more values (published combinations of two or more values of
    one multi-value source), counted without building the view."""
    group_of_column, group_multi = _groups(agg.schema)
    total = 0
    for length in range(2, agg.reporting_length + 1):
        if length in agg.keys and agg.keys[length].size:
            g = group_of_column[agg.schema.attr_column[agg.combos(length)]]
            total += int((group_multi[g[:, 0]] & (g == g[:, :1]).all(axis=1)).sum())
    return total


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: :func:`condense` makes about half a million tuples (none in a
    cycle), and the full collections they set off walk the caller's whole heap (numba's type registries and
    all): 40 % of its time on the CTDC file (0.20 -> 0.12 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def condense(agg: Aggregates) -> Condensed:
    """Condensed aggregates (one column per multi-value source, exact value sets as values) from ``agg``."""
    with _no_cyclic_gc():
        return _condense(agg)


def _condense(agg: Aggregates) -> Condensed:
    schema, r = agg.schema, agg.reporting_length
    known: dict[tuple[int, ...], float] = {}
    for length in agg.lengths():
        for row, count in zip(agg.combos(length).tolist(), agg.counts[length].tolist(), strict=True):
            known[tuple(row)] = float(count)
    attr_column = schema.attr_column
    group_of_column, group_multi = _groups(schema)
    # Python lists: the loops below index them one attribute at a time (numpy scalars cost more there).
    group_of_attr: list[int] = (group_of_column[attr_column] if attr_column.size else np.zeros(0, np.int64)).tolist()
    is_multi: list[bool] = np.asarray(group_multi).tolist()
    published = set(agg.keys[1].tolist())
    domain: list[list[int]] = [[] for _ in group_multi]
    for a in sorted(published):
        domain[group_of_attr[a]].append(a)

    def split(expanded: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
        """Expanded combination -> condensed parts (one sorted tuple of expanded ids per group)."""
        parts: dict[int, list[int]] = {}
        for a in expanded:
            parts.setdefault(group_of_attr[a], []).append(a)
        return tuple(tuple(parts[g]) for g in sorted(parts))

    # Condensed attributes: every single attribute, and the within-source sets published as combinations.
    members: list[tuple[int, ...]] = []
    for combo in sorted(known, key=lambda c: (group_of_attr[c[0]], len(c), c)):
        if len(split(combo)) == 1 and (len(combo) == 1 or is_multi[group_of_attr[combo[0]]]):
            members.append(combo)
    members.sort(key=lambda m: (group_of_attr[m[0]], len(m), m))
    cid = {m: i for i, m in enumerate(members)}
    c_group = [group_of_attr[m[0]] for m in members]

    @cache
    def contain(expanded: tuple[int, ...]) -> float:
        """N(expanded): published if length <= R (0 if absent), else estimated (see module doc)."""
        if len(expanded) <= r:
            return known.get(expanded, 0.0)
        parents = [contain(expanded[:i] + expanded[i + 1 :]) for i in range(len(expanded))]
        cap = min(parents)
        if cap <= 0:
            return 0.0
        estimates = []
        for i, j in combinations(range(len(expanded)), 2):
            base = contain(tuple(a for k, a in enumerate(expanded) if k not in (i, j)))
            estimates.append(parents[j] * parents[i] / base if base > 0 else 0.0)
        return min(cap, float(np.mean(estimates)))

    def exact(parts: tuple[tuple[int, ...], ...]) -> float:
        """Estimated count of records holding exactly these sets (and the ordinary attributes)."""
        base = tuple(sorted(a for p in parts for a in p))
        free = [a for p in parts if is_multi[group_of_attr[p[0]]] for a in domain[group_of_attr[p[0]]]]
        free = [a for a in free if a not in base]
        total = 0.0
        for size in range(len(free) + 1):
            if size > 1 and len(base) + size > r:
                break
            for extra in combinations(free, size):
                total += (-1) ** size * contain(tuple(sorted(base + extra)))
        return total

    counts: dict[tuple[int, ...], float] = {}
    # Condensed combinations whose expanded form fits R: the images of the published combinations.
    for combo in known:
        parts = split(combo)
        key = tuple(sorted(cid[p] for p in parts if p in cid))
        if len(key) == len(parts) and key not in counts:
            counts[key] = exact(parts)
    # Longer expanded forms (a set of >= 2 values involved): extend level by level from present combinations.
    size = [len(m) for m in members]
    present = {k for k, v in counts.items() if np.floor(v + 0.5) >= 1}
    for length in range(2, r + 1):
        previous = sorted(k for k in present if len(k) == length - 1)
        for prefix in previous:
            for c in range(prefix[-1] + 1, len(members)):
                key = prefix + (c,)
                if key in counts or sum(size[x] for x in key) <= r:
                    continue
                if len({c_group[x] for x in key}) < length:
                    continue
                if any(key[:i] + key[i + 1 :] not in present for i in range(length)):
                    continue
                counts[key] = exact(tuple(members[x] for x in key))
                if np.floor(counts[key] + 0.5) >= 1:
                    present.add(key)

    columns: list[Column] = []
    done: set[int] = set()
    for ci, col in enumerate(schema.columns):
        g = int(group_of_column[ci])
        if g in done:
            continue
        done.add(g)
        values = [m for m in members if group_of_attr[m[0]] == g]
        if is_multi[g]:
            delimiter = col.delimiter or ";"
            names = tuple(delimiter.join(schema.columns[int(attr_column[a])].attribute_name for a in m) for m in values)
            columns.append(Column(col.source, col.source, names))
        else:
            offset = int(schema.offsets[ci])
            columns.append(Column(col.name, col.source, tuple(col.values[m[0] - offset] for m in values)))
    return _build(columns, members, counts, r, agg.n_records, tuple(group_of_column.tolist()))


def _build(
    columns: list[Column],
    members: list[tuple[int, ...]],
    counts: dict[tuple[int, ...], float],
    r: int,
    n: int,
    column_of: tuple[int, ...],
) -> Condensed:
    c_schema = Schema(tuple(columns))
    base = c_schema.n_attrs
    keys, values = {}, {}
    for length in range(1, r + 1):
        items = [(k, v) for k, v in counts.items() if len(k) == length and np.floor(v + 0.5) >= 1]
        combos = np.array([k for k, _ in items], np.int64).reshape(len(items), length)
        packed = pack(combos, base)
        order = np.argsort(packed, kind="stable")
        keys[length] = packed[order]
        values[length] = np.floor(np.array([v for _, v in items], np.float64) + 0.5).astype(np.int64)[order]
    return Condensed(Aggregates(c_schema, r, keys, values, n), members, column_of)


def expand(records: Encoded, condensed: Condensed, schema: Schema) -> Encoded:
    """Condensed synthetic records back to the expanded ``schema`` (a set becomes its binary columns)."""
    codes = np.full((records.n_records, len(schema.columns)), ABSENT, np.int32)
    attrs = records.attributes()
    rows, pos = np.nonzero(attrs >= 0)
    held = attrs[rows, pos]  # condensed attribute per (record, column) held
    sizes = np.array([len(m) for m in condensed.members], np.int64)
    starts = np.cumsum(sizes) - sizes
    flat = np.array([a for m in condensed.members for a in m], np.int64)
    count = sizes[held]
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    expanded = flat[np.repeat(starts[held], count) + within]  # their expanded attributes, record by record
    columns = schema.attr_column[expanded]
    codes[np.repeat(rows, count), columns] = expanded - schema.offsets[columns]
    return Encoded(schema, codes)


def on_condensed_view(
    synthesizer: Callable[..., Encoded], agg: Aggregates, rng: np.random.Generator, **options: Any
) -> Encoded:
    """Run ``synthesizer`` on the condensed view of ``agg`` (each multi-value source one column of value
    sets) and expand its records back onto ``agg``'s schema."""
    view = condense(agg)
    records = synthesizer(view.aggregates, rng, condense_multi_value=False, **options)
    return expand(records, view, agg.schema)
