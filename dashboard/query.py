"""The query engine: published DP counts, synthetic estimates and their side-by-side comparison.

A *selection* is a ``(source, value)`` pair (for a multi-value source the value names its expanded
column); selections are AND-ed. Every count the dashboard shows comes from here:

* ``published``: the DP aggregate of the combination, when its length is within the reporting length R
  and it is in ``aggregates.parquet`` (95% interval: count +/- 1.96 sd, clipped at 0);
* ``not reported``: within R but absent from the aggregates (suppressed by DP) -- never shown as zero;
* ``estimated``: longer than R, so only the count of matching synthetic records can be shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import product

import numpy as np
import pandas as pd

from dashboard.i18n import N_, translate
from dashboard.store import Dimension, Release
from synth.combos import lookup, pack
from synth.stats import Z95

Selections = tuple[tuple[str, str], ...]

PUBLISHED = "published"
NOT_REPORTED = "not reported"
ESTIMATED = "estimated"


class QueryError(ValueError):
    """A query the published data cannot answer (e.g. a combination longer than the reporting length).

    ``message`` is an English msgid (marked with ``N_``) with ``{name}`` placeholders filled from ``params``:
    ``str(exc)`` is the English text, :meth:`translated` the reader's language.
    """

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.template, self.params = message, params

    def translated(self) -> str:
        """The message in the active language (:mod:`dashboard.i18n`)."""
        return translate(self.template).format(**self.params)


def normalise(release: Release, pairs: Iterable[tuple[str, str]]) -> Selections:
    """Valid selections only (allow-listed against the release), one per source (first wins), schema order."""
    chosen: dict[str, str] = {}
    for source, value in pairs:
        dim = release.dimensions.get(source)
        if dim is not None and value in dim.values and source not in chosen:
            chosen[source] = value
    order = list(release.dimensions)
    return tuple(sorted(chosen.items(), key=lambda kv: order.index(kv[0])))


def parse_selection_strings(release: Release, items: object) -> Selections:
    """Selections from a list of ``source:value`` strings (split at the first colon); invalid items are dropped.

    ``items`` comes from the browser (a store, a URL): anything but a list or tuple counts as no selection.
    """
    if not isinstance(items, (list, tuple)):
        return ()
    texts = (item for item in items if isinstance(item, str) and ":" in item)
    pairs = [(source, value) for source, _, value in (item.partition(":") for item in texts)]
    return normalise(release, pairs)


def selection_attrs(release: Release, selections: Iterable[tuple[str, str]]) -> list[int]:
    return [release.attribute(s, v) for s, v in selections]


MASK_MEMO_SIZE = 8
#: Columns with at most this many values are counted value by value (fast vectorised compares);
#: wider ones with one bincount.
LOOP_MAX_VALUES = 24


def record_mask(release: Release, attrs: Iterable[int]) -> np.ndarray | None:
    """Boolean mask of synthetic records having every attribute, or None meaning all records.

    The last few masks are remembered per release: the charts of one Explore update share them.
    """
    key = tuple(sorted(int(a) for a in attrs))
    if not key:
        return None
    return release.memo("record_mask", key, lambda: _mask(release, key), size=MASK_MEMO_SIZE)


def _mask(release: Release, attrs: tuple[int, ...]) -> np.ndarray:
    """Boolean mask of synthetic records having every attribute of ``attrs`` (not empty)."""
    col, code = release.attr_location(attrs[0])
    mask = release.columns[col] == code
    for attr in attrs[1:]:
        col, code = release.attr_location(attr)
        np.logical_and(mask, release.columns[col] == code, out=mask)
    return mask


def record_index(release: Release, attrs: Iterable[int]) -> np.ndarray | None:
    """Row indices of synthetic records having every attribute, or None meaning all records."""
    mask = record_mask(release, attrs)
    return None if mask is None else np.flatnonzero(mask)


def _count_equal(column: np.ndarray, code: int, mask: np.ndarray | None) -> int:
    hit = column == code
    return int(np.count_nonzero(hit if mask is None else np.logical_and(hit, mask, out=hit)))


def dimension_counts(release: Release, dim: Dimension, mask: np.ndarray | None) -> np.ndarray:
    """Synthetic records (among ``mask``; None = all) having each value of ``dim``."""
    n_values = len(dim.values)
    if dim.multi_value or n_values <= LOOP_MAX_VALUES:
        return np.array(
            [_count_equal(release.columns[c], code, mask) for c, code in zip(dim.columns, dim.codes, strict=True)],
            dtype=np.int64,
        )
    col = release.columns[dim.columns[0]]
    data = col if mask is None else col[mask]
    unsigned = data.view(np.dtype(f"u{data.dtype.itemsize}"))  # ABSENT (-1) lands on the top bin
    return np.bincount(unsigned, minlength=n_values)[:n_values].astype(np.int64)


def lookup_published(release: Release, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Published counts and sds of combinations given as an (m, l) array of attribute ids (NaN = absent).

    Length 0 is the whole population: the protected record count (sd NaN).
    """
    combos = np.asarray(combos, dtype=np.int64)
    m, length = combos.shape
    if length == 0:
        n = release.protected_records
        return np.full(m, np.nan if n is None else float(n)), np.full(m, np.nan)
    keys = release.agg_keys.get(length)
    if keys is None:
        return np.full(m, np.nan), np.full(m, np.nan)
    pos = lookup(keys, pack(np.sort(combos, axis=1), release.base))
    found = pos >= 0
    safe = np.maximum(pos, 0)
    counts = np.where(found, release.agg_counts[length][safe], np.nan).astype(np.float64)
    sds = np.where(found, release.agg_sd[length][safe], np.nan)
    return counts, sds


def _status(length: int, counts: np.ndarray, r: int) -> np.ndarray:
    if length > r:
        return np.full(counts.size, ESTIMATED, dtype=object)
    return np.where(np.isnan(counts), NOT_REPORTED, PUBLISHED).astype(object)


def _columns(
    values: list, estimated: np.ndarray, counts: np.ndarray, sds: np.ndarray, length: int, r: int
) -> dict[str, np.ndarray]:
    """Common result columns as arrays: estimated, published (NaN unless published), interval, status, shown."""
    status = _status(length, counts, r)
    if length > r:
        counts = np.full(counts.size, np.nan)
        sds = np.full(counts.size, np.nan)
    shown = np.where(status == ESTIMATED, estimated.astype(np.float64), counts)
    return {
        "value": np.array(values, dtype=object),
        "estimated": estimated.astype(np.int64),
        "published": counts,
        "sd": sds,
        "low": np.maximum(counts - Z95 * sds, 0.0),
        "high": counts + Z95 * sds,
        "status": status,
        "shown": shown,
        "length": np.full(counts.size, length, dtype=np.int64),
    }


def _frame(*args) -> pd.DataFrame:
    return pd.DataFrame(_columns(*args))


def bar_columns(release: Release, source: str, selections: Selections) -> dict[str, np.ndarray]:
    """:func:`bars` as a dict of arrays (no pandas: the Explore hot path)."""
    dim = release.dimensions[source]
    others = [(s, v) for s, v in selections if s != source]
    other_attrs = selection_attrs(release, others)
    estimated = dimension_counts(release, dim, record_mask(release, other_attrs))
    combos = np.column_stack(
        [np.tile(np.array(other_attrs, dtype=np.int64), (len(dim.values), 1)), np.array(dim.attrs, dtype=np.int64)]
    )
    counts, sds = lookup_published(release, combos)
    out = _columns(list(dim.values), estimated, counts, sds, len(others) + 1, release.reporting_length)
    out["selected"] = out["value"] == dict(selections).get(source)
    return out


def bars(release: Release, source: str, selections: Selections) -> pd.DataFrame:
    """One row per value of ``source``: the combination (other selections + this value), SDS Navigate style.

    ``selected`` marks the value chosen for ``source`` itself, if any.
    """
    return pd.DataFrame(bar_columns(release, source, selections))


def cell(release: Release, selections: Selections) -> dict:
    """The single combination of all selections: published/not reported/estimated, with its interval."""
    attrs = selection_attrs(release, selections)
    mask = record_mask(release, attrs)
    estimated = np.array([release.n_synthetic if mask is None else np.count_nonzero(mask)])
    counts, sds = lookup_published(release, np.array([attrs], dtype=np.int64).reshape(1, len(attrs)))
    return _frame([None], estimated, counts, sds, len(attrs), release.reporting_length).iloc[0].to_dict()


def _cell_estimates(release: Release, dims: list[Dimension], mask: np.ndarray | None) -> np.ndarray:
    """Synthetic counts of every cell of the cross product of ``dims`` (C order), among ``mask``."""
    if len(dims) == 1:
        return dimension_counts(release, dims[0], mask)
    first, rest = dims[0], dims[1:]
    parts = []
    for c, code in zip(first.columns, first.codes, strict=False):
        sub = release.columns[c] == code
        if mask is not None:
            sub &= mask
        parts.append(_cell_estimates(release, rest, sub))
    return np.concatenate(parts)


def crosstab(
    release: Release,
    sources: list[str],
    selections: Selections,
    include_not_reported: bool = True,
    with_estimates: bool | None = None,
) -> pd.DataFrame:
    """Counts of every value combination of ``sources`` together with ``selections`` (the aggregate builder).

    Selections on one of ``sources`` are ignored for that source. One row per cell, one column per source.
    Synthetic estimates are computed when ``with_estimates`` is True, or (None) only when the cells are
    longer than the reporting length; otherwise the ``estimated`` column is left out.
    """
    dims = [release.dimensions[s] for s in sources]
    others = [(s, v) for s, v in selections if s not in sources]
    other_attrs = selection_attrs(release, others)
    if not dims:
        frame = pd.DataFrame([cell(release, tuple(others))]).drop(columns="value")
        return frame
    grid = np.array(list(product(*[d.attrs for d in dims])), dtype=np.int64).reshape(-1, len(dims))
    combos = np.column_stack([np.tile(np.array(other_attrs, dtype=np.int64), (grid.shape[0], 1)), grid])
    counts, sds = lookup_published(release, combos)
    beyond = combos.shape[1] > release.reporting_length
    if with_estimates is None:
        with_estimates = beyond
    estimated = (
        _cell_estimates(release, dims, record_mask(release, other_attrs))
        if with_estimates or beyond
        else np.zeros(grid.shape[0], dtype=np.int64)
    )
    frame = _frame([None] * grid.shape[0], estimated, counts, sds, combos.shape[1], release.reporting_length)
    if not with_estimates:
        frame = frame.drop(columns="estimated")
    labels = list(product(*[d.values for d in dims]))
    for i, dim in enumerate(dims):
        frame.insert(i, dim.key, [row[i] for row in labels])
    frame = frame.drop(columns="value")
    if not include_not_reported:
        frame = frame[frame["status"] != NOT_REPORTED].reset_index(drop=True)
    return frame


def member_bars(release: Release, members: Iterable[tuple[str, str, str]], selections: Selections) -> pd.DataFrame:
    """Like :func:`bars` for a profile group: one row per (source, value, label) member attribute."""
    rows = []
    for source, value, label in members:
        row = bars(release, source, selections).set_index("value").loc[value].to_dict()
        rows.append({"value": label, "source": source, "source_value": value, **row})
    return pd.DataFrame(rows)


def table_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows of an :func:`aggregate_table` as plain records, missing values as None (its counts are integers)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def aggregate_table(
    release: Release, columns: list[str], selections: Selections, include_not_reported: bool
) -> pd.DataFrame:
    """Published DP counts for the builder and the API; QueryError for combinations longer than R or empty."""
    length = len(columns) + len([s for s, _ in selections if s not in columns])
    if length > release.reporting_length:
        raise QueryError(
            N_("{n} attributes exceed the reporting length {r}: such combinations are not published"),
            n=length,
            r=release.reporting_length,
        )
    if length == 0:
        raise QueryError(N_("choose at least one column or filter"))
    frame = crosstab(release, columns, selections, include_not_reported, with_estimates=False)
    for source, value in selections:
        if source not in columns:
            frame.insert(len(columns), source, value)
    keep = [c for c in frame.columns if c not in ("shown",)]
    table = frame[keep].rename(columns={"published": "count"})
    # Published as readers count: whole records (nullable: "not reported" stays empty), sd to one decimal.
    for column in ("count", "low", "high"):
        table[column] = table[column].round().astype("Int64")
    table["sd"] = table["sd"].round(1)
    return table


#: Aggregate tables kept per release (:func:`aggregate_rows`): the builder and the API ask for the same few.
TABLE_MEMO_SIZE = 32


def aggregate_rows(
    release: Release, columns: list[str], selections: Selections, include_not_reported: bool
) -> list[dict]:
    """:func:`table_rows` of :func:`aggregate_table` (QueryError likewise), built once per release and query."""
    key = (tuple(columns), selections, include_not_reported)
    return release.memo(
        "aggregate_rows",
        key,
        lambda: table_rows(aggregate_table(release, columns, selections, include_not_reported)),
        size=TABLE_MEMO_SIZE,
    )
