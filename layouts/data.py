"""Data page (researchers): synthetic records (infinite AG Grid) and the aggregate-table builder, with exports."""

from __future__ import annotations

import json

import dash
import dash_ag_grid as dag
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n, records
from dashboard.i18n import N_, gettext
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import (
    as_list,
    columns_from_query,
    encode_selections,
    json_from_query,
    query_string,
    selections_from_query,
)
from layouts import ids
from layouts.common import aria, with_release

TABS = ("records", "aggregates")
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel", "parquet": "Parquet"}
#: The accessible name of each table's download links.
TABLE_DOWNLOADS = {
    "records": N_("Download the synthetic records as {format}"),
    "aggregates": N_("Download the aggregate table as {format}"),
}


def export_id(table: str, fmt: str) -> dict:
    return {"type": ids.DATA_EXPORT, "table": table, "fmt": fmt}


def export_href(table: str, fmt: str, params: dict) -> str:
    return dash.get_relative_path(f"/export/{table}.{fmt}") + query_string(**params)


def export_links(table: str, params: dict) -> dmc.Group:
    return dmc.Group(
        [dmc.Text(gettext("Download:"), size="sm")]
        + [
            html.A(
                label,
                id=export_id(table, fmt),
                href=export_href(table, fmt, params),
                download="",
                className="export-link",
                **aria(label=gettext(TABLE_DOWNLOADS[table]).format(format=label)),
            )
            for fmt, label in FORMAT_LABELS.items()
        ],
        gap="xs",
    )


def filter_model_from_query(release, fm) -> dict:
    """The grid's column filters from the ``fm`` parameter (JSON), kept only if valid for this release."""
    try:
        model = records.check_filter_model(json_from_query(fm))
        records.filter_rows(release, (), model)
    except records.FilterError:
        return {}
    return model


def sort_model_from_query(release, sm) -> list[dict]:
    """The grid's sort from the ``sm`` parameter (JSON list of ``{"colId", "sort"}``), kept only if valid."""
    try:
        model = records.check_sort_model(json_from_query(sm))
    except records.FilterError:
        return []
    valid = all(m["colId"] in release.dimensions and m.get("sort") in records.SORT_DIRECTIONS for m in model)
    return [{"colId": m["colId"], "sort": m["sort"]} for m in model] if valid else []


def records_grid(release, profile, filter_model: dict, sort_model: list[dict] | None = None) -> dag.AgGrid:
    order = {m["colId"]: (i, m["sort"]) for i, m in enumerate(sort_model or [])}
    cols = [{"field": "id", "headerName": "id", "filter": False, "sortable": False, "width": 90}]
    cols += [
        {
            "field": k,
            "headerName": profile.label(k),
            "filter": "agTextColumnFilter",
            **({"sort": order[k][1], "sortIndex": order[k][0]} if k in order else {}),
        }
        for k in release.dimensions
    ]
    return dag.AgGrid(
        id=ids.DATA_GRID,
        columnDefs=cols,
        rowModelType="infinite",
        defaultColDef={
            "sortable": True,
            "floatingFilter": True,
            "resizable": True,
            "minWidth": 120,
            "filterParams": {"buttons": ["reset"], "maxNumConditions": 2},
        },
        dashGridOptions={
            "cacheBlockSize": 100,
            "maxBlocksInCache": 20,
            "rowBuffer": 0,
            "pagination": True,
            "paginationPageSize": 50,
            "paginationPageSizeSelector": [20, 50, 100],
            "theme": "themeQuartz",
        },
        filterModel=filter_model,
        style={"height": "560px"},
        className="records-grid",
    )


def aggregate_columns(release, profile, columns: list[str], selections) -> list[dict]:
    filter_cols = [s for s, _ in selections if s not in columns]
    defs = [{"field": c, "headerName": profile.label(c)} for c in columns + filter_cols]
    defs += [
        _count_column("count", gettext("DP count"), gettext("not reported")),
        _count_column("low", gettext("95% low"), ""),
        _count_column("high", gettext("95% high"), ""),
        {"field": "status", "headerName": gettext("Status")},
    ]
    return defs


def _count_column(field: str, header: str, missing: str) -> dict:
    """A grid column of whole numbers grouped as the active language writes them, ``missing`` where there is none."""
    number = f"Math.round(params.value).toLocaleString({json.dumps(i18n.current())})"
    return {
        "field": field,
        "headerName": header,
        "type": "numericColumn",
        "valueFormatter": {"function": f"params.value == null ? {json.dumps(missing)} : {number}"},
    }


def filter_options(release, profile) -> list[dict]:
    """Every ``source:value`` filter, grouped by column, for the builder's filter picker."""
    return [
        {
            "group": profile.label(k),
            "items": [
                {"value": f"{k}:{v}", "label": f"{profile.label(k)}: {profile.value_label(k, v)}"} for v in dim.values
            ],
        }
        for k, dim in release.dimensions.items()
    ]


def default_builder_columns(release: Release, profile: Profile) -> list[str]:
    """The builder's opening table: the profile's main breakdown (its first that is a column), else the first column."""
    candidates = (*profile.breakdowns, *profile.explore, *release.dimensions)
    main = next((s for s in candidates if s in release.dimensions), None)
    return [main] if main is not None else []


@with_release
def layout(
    release: Release,
    profile: Profile,
    /,
    tab: str = "records",
    f=None,
    c=None,
    nr: str = "1",
    fm=None,
    af=None,
    sm=None,
    **_,
) -> html.Div:
    tab = tab if tab in TABS else "records"
    selections = selections_from_query(release, f)
    agg_filters = selections_from_query(release, af) if af is not None else selections
    columns = (
        columns_from_query(release, c, limit=release.reporting_length)
        if c is not None
        else default_builder_columns(release, profile)
    )
    not_reported = as_list(nr)[:1] != ["0"]
    sel_text = ", ".join(f"{profile.label(s)} = {profile.value_label(s, v)}" for s, v in selections) or gettext("none")
    enc = encode_selections(selections)
    return dmc.Container(
        [
            dcc.Location(id=ids.DATA_URL, refresh=False),
            dcc.Store(id=ids.DATA_STATE, data=enc),
            dmc.Title(gettext("Data"), order=1, size="h2"),
            dmc.Text(
                [
                    gettext("Selections carried from Explore:") + " ",
                    html.Strong(sel_text),
                    " · ",
                    dmc.Anchor(
                        gettext("change them in Explore"), href=dash.get_relative_path("/explore") + query_string(f=enc)
                    ),
                ],
                size="sm",
            ),
            dmc.Tabs(
                [
                    dmc.TabsList(
                        [
                            dmc.TabsTab(gettext("Synthetic records"), value="records"),
                            dmc.TabsTab(gettext("Aggregate table builder"), value="aggregates"),
                        ]
                    ),
                    dmc.TabsPanel(
                        [
                            dmc.Alert(
                                gettext(
                                    "Synthetic records are generated from the DP aggregates: any count you make from "
                                    "them is an estimate, not a published statistic. Filter with the boxes under the "
                                    "column headers."
                                ),
                                color="orange",
                                variant="light",
                                my="xs",
                            ),
                            dmc.Group(
                                [dmc.Text(id=ids.DATA_COUNT, size="sm"), export_links("records", {"f": enc})],
                                justify="space-between",
                                my="xs",
                            ),
                            records_grid(
                                release,
                                profile,
                                filter_model_from_query(release, fm),
                                sort_model_from_query(release, sm),
                            ),
                        ],
                        value="records",
                    ),
                    dmc.TabsPanel(
                        [
                            dmc.Text(
                                gettext(
                                    "Pick columns and filters — together at most {n} attributes (the reporting "
                                    "length) — to get the published DP counts with 95% intervals."
                                ).format(n=release.reporting_length),
                                size="sm",
                                my="xs",
                            ),
                            dmc.Group(
                                [
                                    dmc.MultiSelect(
                                        id=ids.AGG_COLUMNS,
                                        label=gettext("Columns"),
                                        value=columns,
                                        maxValues=max(release.reporting_length, 1),
                                        data=[{"value": k, "label": profile.label(k)} for k in release.dimensions],
                                        searchable=True,
                                        w=380,
                                        maw="100%",
                                    ),
                                    dmc.MultiSelect(
                                        id=ids.AGG_FILTERS,
                                        label=gettext("Filters"),
                                        value=encode_selections(agg_filters),
                                        data=filter_options(release, profile),
                                        searchable=True,
                                        w=380,
                                        maw="100%",
                                        maxValues=max(release.reporting_length, 1),
                                    ),
                                    dmc.Switch(
                                        id=ids.AGG_NOT_REPORTED,
                                        label=gettext("Show not-reported (suppressed) combinations"),
                                        checked=not_reported,
                                    ),
                                ],
                                align="flex-end",
                            ),
                            dmc.Group(
                                [
                                    dmc.Text(id=ids.AGG_NOTE, size="sm"),
                                    export_links(
                                        "aggregates",
                                        {
                                            "c": columns,
                                            "f": encode_selections(agg_filters),
                                            "nr": "1" if not_reported else "0",
                                        },
                                    ),
                                ],
                                justify="space-between",
                                my="xs",
                            ),
                            dag.AgGrid(
                                id=ids.AGG_GRID,
                                columnDefs=aggregate_columns(release, profile, columns, agg_filters),
                                rowData=[],
                                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                                dashGridOptions={"pagination": True, "paginationPageSize": 50, "theme": "themeQuartz"},
                                style={"height": "480px"},
                            ),
                        ],
                        value="aggregates",
                    ),
                ],
                id=ids.DATA_TABS,
                value=tab,
            ),
        ],
        size="xl",
        fluid=True,
        className="page page-data",
    )
