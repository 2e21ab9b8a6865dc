"""Request payloads for Dash callbacks, shared by the HTTP tests and the benchmark."""

from __future__ import annotations

import json

from layouts import ids

_CHART_ALL = f'{{"source":["ALL"],"type":"{ids.EXPLORE_CHART}"}}'
_FILTER_ALL = f'{{"source":["ALL"],"type":"{ids.EXPLORE_FILTER}"}}'
EXPLORE_UPDATE_OUTPUT = (
    ".."
    + "...".join(
        [
            f"{_CHART_ALL}.figure",
            f"{_FILTER_ALL}.value",
            f"{ids.EXPLORE_CHIPS}.children",
            f"{ids.EXPLORE_SUMMARY}.children",
            f"{ids.EXPLORE_URL}.search",
            f"{ids.EXPLORE_STATE}.data",
            f"{ids.EXPLORE_TO_DATA}.href",
        ]
    )
    + ".."
)


def dom_id(component_id: dict) -> str:
    """How Dash writes a pattern-matching id (sorted keys, no spaces)."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def explore_click_payload(columns: list[str], state: list[str], clicked: tuple[str, str]) -> dict:
    """POST body of ``/_dash-update-component`` for a bar click on ``clicked = (column, value)``."""
    chart_ids = [{"type": ids.EXPLORE_CHART, "source": c} for c in columns]
    filter_ids = [{"type": ids.EXPLORE_FILTER, "source": c} for c in columns]
    return {
        "output": EXPLORE_UPDATE_OUTPUT,
        "outputs": [
            [{"id": i, "property": "figure"} for i in chart_ids],
            [{"id": i, "property": "value"} for i in filter_ids],
            {"id": ids.EXPLORE_CHIPS, "property": "children"},
            {"id": ids.EXPLORE_SUMMARY, "property": "children"},
            {"id": ids.EXPLORE_URL, "property": "search"},
            {"id": ids.EXPLORE_STATE, "property": "data"},
            {"id": ids.EXPLORE_TO_DATA, "property": "href"},
        ],
        "inputs": [
            [
                {
                    "id": i,
                    "property": "clickData",
                    "value": {"points": [{"customdata": clicked[1]}]} if i["source"] == clicked[0] else None,
                }
                for i in chart_ids
            ],
            [{"id": i, "property": "value", "value": None} for i in filter_ids],
            [],
            {"id": ids.EXPLORE_CLEAR, "property": "n_clicks", "value": 0},
        ],
        "state": [
            {"id": ids.EXPLORE_COLUMNS, "property": "value", "value": columns},
            {"id": ids.EXPLORE_STATE, "property": "data", "value": state},
        ],
        "changedPropIds": [f"{dom_id({'type': ids.EXPLORE_CHART, 'source': clicked[0]})}.clickData"],
    }
