"""Overview callbacks: switching the map's geography (also written to the URL)."""

from __future__ import annotations

from dash import Dash, Input, Output, no_update

from dashboard import context, views
from dashboard.urlstate import query_string
from layouts import ids
from layouts.overview import geo_choice


def switch_geography(geo: str | None) -> tuple[dict, str]:
    """Map figure and query string for the chosen geography column."""
    current = context.current()
    if current is None:
        return no_update, no_update
    release, profile = current
    geo = geo_choice(profile, geo)
    return views.map_figure(release, geo), query_string(geo=geo)


def register(app: Dash) -> None:
    app.callback(Output(ids.OVERVIEW_MAP, "figure"), Output(ids.OVERVIEW_URL, "search"),
                 Input(ids.OVERVIEW_GEO, "value"), prevent_initial_call=True)(switch_geography)
