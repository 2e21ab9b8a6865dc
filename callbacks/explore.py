"""Explore callbacks: bar clicks, dropdowns, chips and clear-all update one selection state."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks.common import release_callback, with_release
from dashboard import query as q
from dashboard import views
from dashboard.profile import Profile
from dashboard.store import Release
from dashboard.urlstate import encode_selections, query_string, text_list
from layouts import explore, ids


def apply_event(selections: list[tuple[str, str]], event: tuple) -> list[tuple[str, str]]:
    """Next selections after an event.

    ``("click", source, value)`` toggles (click the selected bar again to clear), ``("pick", source, value)``
    sets or clears (value None), ``("remove", source)`` clears one, ``("clear",)`` clears all.
    """
    current = dict(selections)
    kind = event[0]
    if kind == "clear":
        return []
    source = event[1]
    if kind == "remove":
        current.pop(source, None)
    elif kind == "click":
        if current.get(source) == event[2]:
            current.pop(source)
        else:
            current[source] = event[2]
    elif kind == "pick":
        if event[2] is None:
            current.pop(source, None)
        else:
            current[source] = event[2]
    return list(current.items())


def event_from_trigger(trigger, click_data: dict | None, picked: str | None) -> tuple | None:
    """Translate the triggering component into an event (None when nothing actionable happened)."""
    if trigger == ids.EXPLORE_CLEAR:
        return ("clear",)
    if not isinstance(trigger, dict) or not isinstance(trigger.get("source"), str):
        return None
    if trigger["type"] == ids.EXPLORE_CHIP:
        return ("remove", trigger["source"])
    if trigger["type"] == ids.EXPLORE_FILTER:
        return ("pick", trigger["source"], picked)
    if trigger["type"] == ids.EXPLORE_CHART and click_data and click_data.get("points"):
        value = click_data["points"][0].get("customdata")
        return ("click", trigger["source"], value) if isinstance(value, str) else None
    return None


def _current_selections(release, state: list[str] | None) -> q.Selections:
    return q.parse_selection_strings(release, state)


@with_release
def restructure(release: Release, profile: Profile, columns: list[str] | None, state: list[str] | None):
    """Columns changed: rebuild the chart grid (figures for the current selections) and the URL."""
    selections = _current_selections(release, state)
    columns = [c for c in text_list(columns) if c in release.dimensions][: explore.MAX_COLUMNS]
    return (
        explore.grid(release, profile, columns, selections),
        query_string(c=columns, f=encode_selections(selections)),
    )


@with_release
def update(release: Release, profile: Profile, click_data, picked, chip_clicks, _clear, columns, state):
    """A bar click, dropdown pick, chip removal or clear-all: new selections, then every chart and control.

    Thin wrapper around :func:`apply_event` and the memoised figure builders.
    """
    shown = [s["id"]["source"] for s in ctx.outputs_list[0]]
    if not all(isinstance(source, str) and source in release.dimensions for source in shown):
        raise PreventUpdate  # charts of columns this release lacks: a crafted request, not a page of it
    trigger = ctx.triggered_id
    index = _position(trigger, ctx.inputs_list)
    event = event_from_trigger(
        trigger,
        click_data[index] if index is not None and index < len(click_data) else None,
        picked[index] if index is not None and index < len(picked) else None,
    )
    if event is None or (event[0] == "remove" and not any(chip_clicks)):
        raise PreventUpdate
    pairs = apply_event(list(_current_selections(release, state)), event)
    selections = q.normalise(release, pairs)
    figures, summary = views.explore_panel(release, tuple(shown), selections)
    chosen = dict(selections)
    encoded = encode_selections(selections)
    return (
        figures,
        [chosen.get(source) for source in shown],
        explore.chips(release, profile, selections),
        summary,
        query_string(c=columns, f=encoded),
        encoded,
        explore.data_link(selections),
    )


def _position(trigger, inputs_list) -> int | None:
    """Index of a pattern-matched trigger within its ALL group (charts and filters share the column order)."""
    if not isinstance(trigger, dict) or trigger.get("type") not in (ids.EXPLORE_CHART, ids.EXPLORE_FILTER):
        return None
    group = inputs_list[0] if trigger["type"] == ids.EXPLORE_CHART else inputs_list[1]
    for i, item in enumerate(group):
        if item["id"] == trigger:
            return i
    return None


def register(app: Dash) -> None:
    release_callback(
        app,
        Output(ids.EXPLORE_GRID, "children"),
        Output(ids.EXPLORE_URL, "search", allow_duplicate=True),
        Input(ids.EXPLORE_COLUMNS, "value"),
        State(ids.EXPLORE_STATE, "data"),
        prevent_initial_call=True,
    )(restructure)
    release_callback(
        app,
        Output({"type": ids.EXPLORE_CHART, "source": ALL}, "figure"),
        Output({"type": ids.EXPLORE_FILTER, "source": ALL}, "value"),
        Output(ids.EXPLORE_CHIPS, "children"),
        Output(ids.EXPLORE_SUMMARY, "children"),
        Output(ids.EXPLORE_URL, "search"),
        Output(ids.EXPLORE_STATE, "data"),
        Output(ids.EXPLORE_TO_DATA, "href"),
        Input({"type": ids.EXPLORE_CHART, "source": ALL}, "clickData"),
        Input({"type": ids.EXPLORE_FILTER, "source": ALL}, "value"),
        Input({"type": ids.EXPLORE_CHIP, "source": ALL}, "n_clicks"),
        Input(ids.EXPLORE_CLEAR, "n_clicks"),
        State(ids.EXPLORE_COLUMNS, "value"),
        State(ids.EXPLORE_STATE, "data"),
        prevent_initial_call=True,
    )(update)
