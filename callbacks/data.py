"""Data page callbacks: infinite-grid paging over synthetic records and the aggregate-table builder."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, State, no_update

from callbacks.common import with_release
from dashboard import query as q
from dashboard import records
from dashboard.i18n import format_decimal, gettext, ngettext
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import encode_selections, query_string
from layouts import data as data_layout
from layouts import ids

FORMATS = tuple(data_layout.FORMAT_LABELS)


@with_release
def rows_page(release: Release, _profile: Profile, request: dict | None, state: list[str] | None):
    """getRowsResponse for the infinite grid, the matching-record count and the export links."""
    if not request:
        return (no_update,) * (2 + len(FORMATS))
    selections = q.parse_selection_strings(release, state or [])
    filter_model, sort_model = request.get("filterModel") or {}, request.get("sortModel") or []
    try:
        rows = records.query_rows(release, selections, filter_model, sort_model)
    except records.FilterError as exc:
        return (
            {"rowData": [], "rowCount": 0},
            gettext("Filter not applied: {problem}").format(problem=exc),
            *(no_update,) * len(FORMATS),
        )
    start, end = int(request.get("startRow", 0)), int(request.get("endRow", 100))
    frame = records.frame_for(release, rows, start, end, shown=True)
    total = records.row_count(release, rows)
    params = {
        "f": state or [],
        "fm": json.dumps(filter_model) if filter_model else None,
        "sm": json.dumps(sort_model) if sort_model else None,
    }
    hrefs = [data_layout.export_href("records", fmt, params) for fmt in FORMATS]
    return (
        {"rowData": frame.to_dict("records"), "rowCount": total},
        ngettext(
            "{n} synthetic record matches (an estimate, not a published count).",
            "{n} synthetic records match (estimates, not published counts).",
            total,
        ).format(n=format_decimal(total)),
        *hrefs,
    )


@with_release
def aggregate_view(
    release: Release, profile: Profile, columns: list[str] | None, filters: list[str] | None, not_reported: bool
):
    """Builder table (published DP counts only) and its export links."""
    selections = q.parse_selection_strings(release, filters or [])
    columns = [c for c in (columns or []) if c in release.dimensions]
    params = {"c": columns, "f": encode_selections(selections), "nr": "1" if not_reported else "0"}
    hrefs = [data_layout.export_href("aggregates", fmt, params) for fmt in FORMATS]
    try:
        frame = q.aggregate_table(release, columns, selections, not_reported)
    except q.QueryError as exc:
        return [], data_layout.aggregate_columns(release, profile, [], ()), str(exc), *hrefs
    rows = q.table_rows(frame)
    published = int((frame["status"] == q.PUBLISHED).sum())
    note = ngettext(
        "{n} combination, {published} published.", "{n} combinations, {published} published.", len(frame)
    ).format(n=format_decimal(len(frame)), published=format_decimal(published))
    return rows, data_layout.aggregate_columns(release, profile, columns, selections), note, *hrefs


def permalink(
    tab: str,
    columns: list[str] | None,
    filters: list[str] | None,
    not_reported: bool,
    filter_model: dict | None,
    rows_request: dict | None,
    state: list[str] | None,
) -> str:
    """The Data page's query string: tab, selections, builder columns and filters, the grid's filters and sort."""
    sort_model = [{"colId": m.get("colId"), "sort": m.get("sort")} for m in (rows_request or {}).get("sortModel") or []]
    return query_string(
        tab=tab,
        f=state or [],
        c=columns or [],
        af=filters or [],
        nr="1" if not_reported else "0",
        fm=json.dumps(filter_model, sort_keys=True, separators=(",", ":")) if filter_model else None,
        sm=json.dumps(sort_model, separators=(",", ":")) if sort_model else None,
    )


def register(app: Dash) -> None:
    app.callback(
        Output(ids.DATA_GRID, "getRowsResponse"),
        Output(ids.DATA_COUNT, "children"),
        *[Output(data_layout.export_id("records", fmt), "href") for fmt in FORMATS],
        Input(ids.DATA_GRID, "getRowsRequest"),
        State(ids.DATA_STATE, "data"),
    )(rows_page)
    app.callback(
        Output(ids.AGG_GRID, "rowData"),
        Output(ids.AGG_GRID, "columnDefs"),
        Output(ids.AGG_NOTE, "children"),
        *[Output(data_layout.export_id("aggregates", fmt), "href") for fmt in FORMATS],
        Input(ids.AGG_COLUMNS, "value"),
        Input(ids.AGG_FILTERS, "value"),
        Input(ids.AGG_NOT_REPORTED, "checked"),
    )(aggregate_view)
    app.callback(
        Output(ids.DATA_URL, "search"),
        Input(ids.DATA_TABS, "value"),
        Input(ids.AGG_COLUMNS, "value"),
        Input(ids.AGG_FILTERS, "value"),
        Input(ids.AGG_NOT_REPORTED, "checked"),
        Input(ids.DATA_GRID, "filterModel"),
        Input(ids.DATA_GRID, "getRowsRequest"),
        State(ids.DATA_STATE, "data"),
        prevent_initial_call=True,
    )(permalink)
