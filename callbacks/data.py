"""Data page callbacks: infinite-grid paging over synthetic records and the aggregate-table builder."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, State, no_update

from callbacks.common import release_callback, with_release
from dashboard import context, records
from dashboard import query as q
from dashboard.i18n import format_decimal, gettext, ngettext
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import encode_selections, query_string, text_list
from layouts import data as data_layout
from layouts import ids

FORMATS = tuple(data_layout.FORMAT_LABELS)


@with_release
def rows_page(release: Release, _profile: Profile, request: object, state: object):
    """getRowsResponse for the infinite grid, the matching-record count and the export links.

    A block request is at most ``grid_max_rows`` long; a malformed one (not AG Grid's shape) updates nothing.
    """
    block = records.block_request(request, context.settings().grid_max_rows)
    if block is None:
        return (no_update,) * (2 + len(FORMATS))
    selections = q.parse_selection_strings(release, state)
    try:
        filter_model = records.check_filter_model(block.filter_model or None)
        sort_model = records.check_sort_model(block.sort_model or None)
        rows = records.query_rows(release, selections, filter_model, sort_model)
    except records.FilterError as exc:
        return (
            {"rowData": [], "rowCount": 0},
            gettext("Filter not applied: {problem}").format(problem=exc.translated()),
            *(no_update,) * len(FORMATS),
        )
    page = records.records_for(release, rows, block.start, block.end, shown=True)
    total = records.row_count(release, rows)
    params = {
        "f": encode_selections(selections),
        "fm": json.dumps(filter_model) if filter_model else None,
        "sm": json.dumps(sort_model) if sort_model else None,
    }
    hrefs = [data_layout.export_href("records", fmt, params) for fmt in FORMATS]
    return (
        {"rowData": page, "rowCount": total},
        ngettext(
            "{n} synthetic record matches (an estimate, not a published count).",
            "{n} synthetic records match (estimates, not published counts).",
            total,
        ).format(n=format_decimal(total)),
        *hrefs,
    )


@with_release
def aggregate_view(release: Release, profile: Profile, columns: object, filters: object, not_reported: bool):
    """Builder table (published DP counts only) and its export links."""
    selections = q.parse_selection_strings(release, filters)
    columns = [c for c in text_list(columns) if c in release.dimensions]
    params = {"c": columns, "f": encode_selections(selections), "nr": "1" if not_reported else "0"}
    hrefs = [data_layout.export_href("aggregates", fmt, params) for fmt in FORMATS]
    try:
        rows = q.aggregate_rows(release, columns, selections, not_reported)
    except q.QueryError as exc:
        return [], data_layout.aggregate_columns(release, profile, [], ()), exc.translated(), *hrefs
    published = sum(row["status"] == q.PUBLISHED for row in rows)
    note = ngettext(
        "{n} combination, {published} published.", "{n} combinations, {published} published.", len(rows)
    ).format(n=format_decimal(len(rows)), published=format_decimal(published))
    return rows, data_layout.aggregate_columns(release, profile, columns, selections), note, *hrefs


def permalink(
    tab: object,
    columns: object,
    filters: object,
    not_reported: bool,
    filter_model: object,
    rows_request: object,
    state: object,
) -> str:
    """The Data page's query string: tab, selections, builder columns and filters, the grid's filters and sort.

    Values come from the browser as is: what does not have the expected shape is left out.
    """
    try:
        sort_model = records.check_sort_model(rows_request.get("sortModel") if isinstance(rows_request, dict) else None)
    except records.FilterError:
        sort_model = []
    sort_model = [{"colId": m["colId"], "sort": m.get("sort")} for m in sort_model]
    return query_string(
        tab=tab if isinstance(tab, str) else None,
        f=text_list(state),
        c=text_list(columns),
        af=text_list(filters),
        nr="1" if not_reported else "0",
        fm=json.dumps(filter_model, sort_keys=True, separators=(",", ":")) if filter_model else None,
        sm=json.dumps(sort_model, separators=(",", ":")) if sort_model else None,
    )


def register(app: Dash) -> None:
    release_callback(
        app,
        Output(ids.DATA_GRID, "getRowsResponse"),
        Output(ids.DATA_COUNT, "children"),
        *[Output(data_layout.export_id("records", fmt), "href") for fmt in FORMATS],
        Input(ids.DATA_GRID, "getRowsRequest"),
        State(ids.DATA_STATE, "data"),
    )(rows_page)
    release_callback(
        app,
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
