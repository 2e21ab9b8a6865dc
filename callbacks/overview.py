"""Overview callbacks: switching the map's geography (in the URL); a click on a chart opens Explore on it."""

from __future__ import annotations

import dash
from dash import ALL, Dash, Input, Output, ctx
from dash.exceptions import PreventUpdate

from callbacks.common import release_callback, with_release
from dashboard import query as q
from dashboard import views
from dashboard.figures import title_of
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import encode_selections, query_string
from layouts import ids
from layouts.overview import geo_choice


@with_release
def switch_geography(release: Release, profile: Profile, geo: str | None) -> tuple[dict, str, str]:
    """Map figure, its title and the query string for the chosen geography column."""
    geo = geo_choice(profile, geo)
    figure = views.map_figure(release, geo)
    return figure, title_of(figure), query_string(geo=geo)


def explore_link(release: Release, link: str | None, explore_columns: list[str]) -> str | None:
    """``/explore`` URL filtered on a clicked ``source:value`` (None if the click carries no valid link)."""
    if not isinstance(link, str):
        return None
    selections = q.parse_selection_strings(release, [link])
    if not selections:
        return None
    source = selections[0][0]
    columns = list(dict.fromkeys([source, *explore_columns]))[:6]
    return dash.get_relative_path("/explore") + query_string(c=columns, f=encode_selections(selections))


@with_release
def open_in_explore(release: Release, profile: Profile, _breakdowns, _trend, _map):
    """A click on any Overview chart opens Explore filtered on what was clicked."""
    data = ctx.triggered[0]["value"] if ctx.triggered else None
    link = (data or {}).get("points", [{}])[0].get("customdata")
    target = explore_link(release, link, list(profile.explore))
    if target is None:
        raise PreventUpdate
    return target


def register(app: Dash) -> None:
    release_callback(
        app,
        Output(ids.OVERVIEW_NAV, "href"),
        Input({"type": ids.OVERVIEW_BREAKDOWN, "key": ALL}, "clickData"),
        Input(ids.OVERVIEW_TREND, "clickData"),
        Input(ids.OVERVIEW_MAP, "clickData"),
        prevent_initial_call=True,
    )(open_in_explore)
    release_callback(
        app,
        Output(ids.OVERVIEW_MAP, "figure"),
        Output(ids.caption(ids.OVERVIEW_MAP), "children"),
        Output(ids.OVERVIEW_URL, "search"),
        Input(ids.OVERVIEW_GEO, "value"),
        prevent_initial_call=True,
    )(switch_geography)
