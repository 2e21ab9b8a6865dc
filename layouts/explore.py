"""Explore page (SDS Navigate, improved): one chart per chosen column, click or pick a value to filter."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import query as q
from dashboard import views
from dashboard.i18n import gettext
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import columns_from_query, encode_selections, query_string, selections_from_query
from layouts import ids
from layouts.common import aria, graph, legend_note, source_note, with_release

MAX_COLUMNS = 8


def chips(release, profile, selections: q.Selections) -> list:
    """One removable chip per active selection (a button: keyboard-accessible)."""
    if not selections:
        return [dmc.Text(gettext("No selection: click a bar or pick a value to filter."), size="sm", c="dimmed")]
    return [
        html.Button(
            f"{profile.label(s)}: {profile.value_label(s, v)} ✕",
            id={"type": ids.EXPLORE_CHIP, "source": s},
            className="chip",
            n_clicks=0,
            **aria(label=gettext("Remove filter {column} = {value}").format(column=profile.label(s), value=v)),
        )
        for s, v in selections
    ]


def grid(release, profile, columns: list[str], selections: q.Selections) -> list:
    chosen = dict(selections)
    cards = []
    for source in columns:
        dim = release.dimensions[source]
        select = dmc.Select(
            id={"type": ids.EXPLORE_FILTER, "source": source},
            value=chosen.get(source),
            data=[{"value": v, "label": profile.value_label(source, v)} for v in dim.values],
            placeholder=gettext("Filter by {column}").format(column=profile.label(source)),
            clearable=True,
            searchable=True,
            size="xs",
            label=gettext("Filter: {column}").format(column=profile.label(source)),
            className="explore-filter",
        )
        chart = graph(
            {"type": ids.EXPLORE_CHART, "source": source},
            views.explore_figure(release, source, selections),
            f"{release.release_id}-{source}",
            profile.label(source),
        )
        cards.append(dmc.Paper([select, chart], p="xs", withBorder=True, className="explore-card"))
    return cards


def data_link(selections: q.Selections) -> str:
    return dash.get_relative_path("/data") + query_string(f=encode_selections(selections))


@with_release
def layout(release: Release, profile: Profile, /, c=None, f=None, **_) -> html.Div:
    columns = columns_from_query(release, c, limit=MAX_COLUMNS) or list(profile.explore)
    selections = selections_from_query(release, f)
    return dmc.Container(
        [
            dcc.Location(id=ids.EXPLORE_URL, refresh=False),
            dcc.Store(id=ids.EXPLORE_STATE, data=encode_selections(selections)),
            dmc.Title(gettext("Explore"), order=1, size="h2"),
            dmc.Text(
                gettext(
                    "Click a bar (or pick a value) to filter every other chart; selections are AND-ed. Each bar "
                    "pair compares the synthetic estimate with the published DP aggregate of the same combination."
                ),
                c="dimmed",
                size="sm",
            ),
            legend_note(),
            dmc.MultiSelect(
                id=ids.EXPLORE_COLUMNS,
                label=gettext("Columns"),
                value=columns,
                maxValues=MAX_COLUMNS,
                searchable=True,
                data=[{"value": k, "label": profile.label(k)} for k in release.dimensions],
            ),
            dmc.Group(
                [
                    dmc.Group(chips(release, profile, selections), id=ids.EXPLORE_CHIPS, gap="xs"),
                    dmc.Button(gettext("Clear all"), id=ids.EXPLORE_CLEAR, variant="light", size="xs", n_clicks=0),
                ],
                justify="space-between",
                my="xs",
            ),
            dmc.Group(
                [
                    dmc.Text(views.selection_summary(release, selections), id=ids.EXPLORE_SUMMARY, size="sm", fw=500),
                    dmc.Anchor(
                        gettext("Open matching synthetic records in Data →"),
                        id=ids.EXPLORE_TO_DATA,
                        href=data_link(selections),
                        size="sm",
                    ),
                ],
                justify="space-between",
            ),
            dmc.SimpleGrid(
                grid(release, profile, columns, selections),
                id=ids.EXPLORE_GRID,
                cols={"base": 1, "md": 2, "xl": 3},
                spacing="sm",
            ),
            source_note(release),
        ],
        size="xl",
        fluid=True,
        className="page page-explore",
    )
