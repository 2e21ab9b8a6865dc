"""Synthetic records for the Data page and the API: condensed per-source views, grid filters, sorting, pages.

A multi-value source is shown condensed (``Female;Male``). Each source gets one integer code per record
(index into its list of distinct labels, -1 = empty), built once per release; AG Grid text filters are
evaluated on the (few) labels and applied with ``np.isin`` -- no per-record Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import query as q
from dashboard.context import profile_of
from dashboard.i18n import N_
from dashboard.store import Release

TEXT_OPS = {
    "contains": lambda label, x: x in label,
    "notContains": lambda label, x: x not in label,
    "equals": lambda label, x: label == x,
    "notEqual": lambda label, x: label != x,
    "startsWith": lambda label, x: label.startswith(x),
    "endsWith": lambda label, x: label.endswith(x),
}
BLANK_OPS = ("blank", "notBlank")
OPERATORS = ("AND", "OR")
SORT_DIRECTIONS = ("asc", "desc")


class FilterError(q.QueryError):
    """A grid filter model that cannot be applied (unknown column or operator)."""


@dataclass(frozen=True)
class SourceView:
    codes: np.ndarray  # per record: index into labels, -1 = empty
    labels: tuple[str, ...]  # the values as published (codes: "UKR", "Female;Male")
    shown: tuple[str, ...]  # the same as a reader sees them (profile labels: "Ukraine"), aligned with labels
    rank: np.ndarray  # sort rank of each label (lexicographic on the codes), for sorting


def source_views(release: Release) -> dict[str, SourceView]:
    """Condensed view of every source column (memoised on the release)."""
    return release.memo("source_views", None, lambda: _source_views(release))


def _source_views(release: Release) -> dict[str, SourceView]:
    """Condensed views computed from the encoded columns (multi-value sources: one label per combination)."""
    profile = profile_of(release)
    views = {}
    for key, dim in release.dimensions.items():
        delimiter = release.schema.columns[dim.columns[0]].delimiter or ";"
        if not dim.multi_value:
            codes = release.columns[dim.columns[0]].astype(np.int32)
            labels = dim.values
        else:
            bits = np.zeros(release.n_synthetic, dtype=np.int64)
            for i, (c, code) in enumerate(zip(dim.columns, dim.codes, strict=False)):
                bits |= (release.columns[c] == code).astype(np.int64) << i
            uniq, inv = np.unique(bits, return_inverse=True)
            labels = tuple(delimiter.join(v for i, v in enumerate(dim.values) if (int(u) >> i) & 1) for u in uniq)
            codes = inv.astype(np.int32)
            if uniq.size and uniq[0] == 0:  # no value at all: empty
                codes = codes - 1
                labels = labels[1:]
        shown = tuple(
            delimiter.join(profile.value_label(key, part) for part in label.split(delimiter))
            if dim.multi_value
            else profile.value_label(key, label)
            for label in labels
        )
        order = sorted(range(len(labels)), key=lambda i: labels[i])  # codes keep bands in order ("09--17")
        rank = np.empty(len(labels), dtype=np.int64)
        rank[order] = np.arange(len(labels))
        views[key] = SourceView(codes, tuple(labels), shown, rank)
    return views


def _condition_codes(view: SourceView, cond: dict) -> np.ndarray:
    """Boolean per label + the empty slot (last) for one text condition, on the code or the shown name.

    "Ukraine" and "UKR" both find Ukraine's records; a negative condition must hold for both.
    """
    kind = cond.get("type", "contains")
    pairs = [(code.lower(), name.lower()) for code, name in zip(view.labels, view.shown, strict=True)]
    if kind in BLANK_OPS:
        ok = np.array([kind == "notBlank"] * len(pairs) + [kind == "blank"])
        return ok
    if kind not in TEXT_OPS:
        raise FilterError(N_("unsupported filter type {kind}"), kind=repr(kind))
    needle = str(cond.get("filter") if cond.get("filter") is not None else "").lower()
    op = TEXT_OPS[kind]
    negative = kind in ("notContains", "notEqual")
    hits = [
        (op(code, needle) and op(name, needle)) if negative else (op(code, needle) or op(name, needle))
        for code, name in pairs
    ]
    return np.array(hits + [negative])


def _check_condition(column: str, cond: object) -> None:
    """One text condition: ``{"type": <operator>, "filter": <text or number>}``; FilterError otherwise."""
    if not isinstance(cond, dict):
        raise FilterError(N_("the filter of column {column} must be an object"), column=repr(column))
    kind = cond.get("type", "contains")
    if not isinstance(kind, str) or (kind not in TEXT_OPS and kind not in BLANK_OPS):
        raise FilterError(N_("unsupported filter type {kind}"), kind=repr(kind))
    needle = cond.get("filter")
    if needle is not None and (isinstance(needle, bool) or not isinstance(needle, (str, int, float))):
        raise FilterError(N_("the filter text of column {column} must be text"), column=repr(column))


def check_filter_model(model: object) -> dict:
    """An AG Grid text filter model as sent by a browser (``{}`` for None); FilterError if it has another shape.

    Shape: ``{column: condition}`` or ``{column: {"operator": "AND"|"OR", "conditions": [condition, ...]}}``.
    """
    if model is None:
        return {}
    if not isinstance(model, dict):
        raise FilterError(N_("the filter model must be an object of column: filter"))
    for column, spec in model.items():
        if isinstance(spec, dict) and "conditions" in spec:
            conditions = spec["conditions"]
            if not isinstance(conditions, list) or not conditions:
                raise FilterError(N_("the conditions of column {column} must be a non-empty list"), column=repr(column))
            operator = spec.get("operator", "AND")
            if not isinstance(operator, str) or operator.upper() not in OPERATORS:
                raise FilterError(N_("the operator of column {column} must be AND or OR"), column=repr(column))
            for cond in conditions:
                _check_condition(column, cond)
        else:
            _check_condition(column, spec)
    return model


def check_sort_model(model: object) -> list[dict]:
    """An AG Grid sort model (``[]`` for None): a list of ``{"colId": column, "sort": "asc"|"desc"}``."""
    if model is None:
        return []
    if not isinstance(model, list) or not all(
        isinstance(item, dict) and isinstance(item.get("colId"), str) and item.get("sort", "asc") in SORT_DIRECTIONS
        for item in model
    ):
        raise FilterError(N_('the sort model must be a list of {{"colId": column, "sort": "asc" or "desc"}}'))
    return model


def _column_mask(view: SourceView, model: dict) -> np.ndarray:
    if "conditions" in model:
        parts = [_condition_codes(view, c) for c in model["conditions"]]
        ok = (
            np.logical_and.reduce(parts)
            if model.get("operator", "AND").upper() == "AND"
            else np.logical_or.reduce(parts)
        )
    else:
        ok = _condition_codes(view, model)
    return ok[view.codes]  # code -1 picks the last slot (empty)


def filter_rows(release: Release, selections: q.Selections, filter_model: dict | None) -> np.ndarray | None:
    """Indices of records matching the selections and an AG Grid text filter model (None = all records)."""
    rows = q.record_index(release, q.selection_attrs(release, selections))
    if not filter_model:
        return rows
    views = source_views(release)
    masks = []
    for column, model in filter_model.items():
        if column not in views:
            raise FilterError(N_("unknown column {column}"), column=repr(column))
        masks.append(_column_mask(views[column], model))
    found = np.flatnonzero(np.logical_and.reduce(masks))
    return found if rows is None else np.intersect1d(rows, found, assume_unique=True)


def sort_rows(release: Release, rows: np.ndarray | None, sort_model: list[dict] | None) -> np.ndarray | None:
    """Rows ordered by an AG Grid sort model (stable; empty values first ascending)."""
    if not sort_model:
        return rows
    views = source_views(release)
    idx = np.arange(release.n_synthetic) if rows is None else rows
    keys = []
    for item in reversed(sort_model):
        col = item.get("colId")
        if col not in views:
            raise FilterError(N_("unknown sort column {column}"), column=repr(col))
        view = views[col]
        rank = np.where(view.codes[idx] >= 0, view.rank[np.maximum(view.codes[idx], 0)], -1)
        keys.append(-rank if item.get("sort") == "desc" else rank)
    return idx[np.lexsort(keys)]


def _record_columns(
    release: Release, rows: np.ndarray | None, start: int, stop: int | None, shown: bool
) -> dict[str, np.ndarray]:
    """The columns of :func:`frame_for`: the record ids, then one object array of strings per source column."""
    idx = np.arange(release.n_synthetic) if rows is None else rows
    idx = idx[start:stop]
    out = {"id": idx}
    for key, view in source_views(release).items():
        lookup = np.array(list(view.shown if shown else view.labels) + [""], dtype=object)
        out[key] = lookup[view.codes[idx]]
    return out


def frame_for(
    release: Release, rows: np.ndarray | None, start: int = 0, stop: int | None = None, shown: bool = False
) -> pd.DataFrame:
    """Condensed records ``rows[start:stop]`` as strings ("" = empty), with their synthetic record id.

    ``shown``: values as a reader sees them (profile labels, for the grid); else as published (codes, for
    the API and exports).
    """
    return pd.DataFrame(_record_columns(release, rows, start, stop, shown))


def records_for(
    release: Release, rows: np.ndarray | None, start: int = 0, stop: int | None = None, shown: bool = False
) -> list[dict]:
    """``frame_for(...).to_dict("records")`` without the frame (a grid block or an API page: a few hundred
    records, for which building a DataFrame and iterating it back cost more than the records)."""
    columns = _record_columns(release, rows, start, stop, shown)
    names, values = list(columns), [c.tolist() for c in columns.values()]
    return [dict(zip(names, record, strict=True)) for record in zip(*values, strict=True)]


@dataclass(frozen=True)
class BlockRequest:
    """One infinite-grid block request: rows ``start:end`` under the grid's filter and sort models (unchecked)."""

    start: int
    end: int
    filter_model: object
    sort_model: object


def block_request(request: object, max_rows: int) -> BlockRequest | None:
    """AG Grid's ``getRowsRequest`` with at most ``max_rows`` rows (``endRow`` capped); None if not its shape."""
    if not isinstance(request, dict) or not request:
        return None
    start, end = request.get("startRow", 0), request.get("endRow", 100)
    if type(start) is not int or type(end) is not int or not 0 <= start <= end:
        return None
    return BlockRequest(start, min(end, start + max_rows), request.get("filterModel"), request.get("sortModel"))


def row_count(release: Release, rows: np.ndarray | None) -> int:
    return release.n_synthetic if rows is None else int(rows.size)


ROW_MEMO_SIZE = 16


def query_rows(
    release: Release, selections: q.Selections, filter_model: dict | None, sort_model: list[dict] | None
) -> np.ndarray | None:
    """Filtered and sorted row indices, remembered for the last few queries of this release.

    The infinite grid asks for one block at a time with the same filter and sort; this keeps paging cheap.
    Models of another shape than AG Grid's are a FilterError (checked before any work).
    """
    filter_model, sort_model = check_filter_model(filter_model), check_sort_model(sort_model)
    key = (selections, json.dumps(filter_model, sort_keys=True), json.dumps(sort_model, sort_keys=True))
    return release.memo(
        "row_queries",
        key,
        lambda: sort_rows(release, filter_rows(release, selections, filter_model), sort_model),
        size=ROW_MEMO_SIZE,
    )
