"""Explore callbacks: bar clicks, dropdowns, chips and clear-all update one selection state."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update

from dashboard import context
from dashboard import query as q
from dashboard.urlstate import encode_selections, query_string
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
    if not isinstance(trigger, dict):
        return None
    if trigger["type"] == ids.EXPLORE_CHIP:
        return ("remove", trigger["source"])
    if trigger["type"] == ids.EXPLORE_FILTER:
        return ("pick", trigger["source"], picked)
    if trigger["type"] == ids.EXPLORE_CHART and click_data and click_data.get("points"):
        value = click_data["points"][0].get("customdata")
        return ("click", trigger["source"], value) if isinstance(value, str) else None
    return None


def render(columns: list[str], state: list[str]):
    """Everything the page shows for these columns and selections (also used for the initial layout)."""
    current = context.current()
    if current is None:
        return (no_update,) * 6
    release, profile = current
    selections = q.parse_selection_strings(release, state or [])
    columns = [c for c in (columns or []) if c in release.dimensions][:explore.MAX_COLUMNS]
    encoded = encode_selections(selections)
    return (explore.grid(release, profile, columns, selections), explore.chips(release, profile, selections),
            explore.summary(release, selections), query_string(c=columns, f=encoded), encoded,
            explore.data_link(selections))


def update(columns, click_data, picked, _chip_clicks, _clear, state):
    """Thin wrapper: read the trigger, apply the event, re-render."""
    trigger = ctx.triggered_id
    event = None
    if trigger != ids.EXPLORE_COLUMNS:
        index = _position(trigger, ctx.inputs_list)
        event = event_from_trigger(trigger, click_data[index] if index is not None and index < len(click_data) else None,
                                   picked[index] if index is not None and index < len(picked) else None)
        if event is None:
            return (no_update,) * 6
        if event[0] == "remove" and not any(_chip_clicks):
            return (no_update,) * 6
    pairs = [tuple(s.split(":", 1)) for s in state or [] if ":" in s]
    if event is not None:
        pairs = apply_event(pairs, event)
    return render(columns, [f"{s}:{v}" for s, v in pairs])


def _position(trigger, inputs_list) -> int | None:
    """Index of a pattern-matched trigger within its ALL group (charts and filters share the column order)."""
    if not isinstance(trigger, dict) or trigger.get("type") not in (ids.EXPLORE_CHART, ids.EXPLORE_FILTER):
        return None
    group = inputs_list[1] if trigger["type"] == ids.EXPLORE_CHART else inputs_list[2]
    for i, item in enumerate(group):
        if item["id"] == trigger:
            return i
    return None


def register(app: Dash) -> None:
    app.callback(
        Output(ids.EXPLORE_GRID, "children"), Output(ids.EXPLORE_CHIPS, "children"),
        Output(ids.EXPLORE_SUMMARY, "children"), Output(ids.EXPLORE_URL, "search"),
        Output(ids.EXPLORE_STATE, "data"), Output(ids.EXPLORE_TO_DATA, "href"),
        Input(ids.EXPLORE_COLUMNS, "value"),
        Input({"type": ids.EXPLORE_CHART, "source": ALL}, "clickData"),
        Input({"type": ids.EXPLORE_FILTER, "source": ALL}, "value"),
        Input({"type": ids.EXPLORE_CHIP, "source": ALL}, "n_clicks"),
        Input(ids.EXPLORE_CLEAR, "n_clicks"),
        State(ids.EXPLORE_STATE, "data"),
        prevent_initial_call=True,
    )(update)
