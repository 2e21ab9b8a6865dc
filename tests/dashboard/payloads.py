"""Request payloads for Dash callbacks, shared by the HTTP tests and the dashboard benchmark.

The Explore update's outputs are read from the app's own callback map (the callback taking the charts'
clicks), so the payload follows ``callbacks/explore.register`` instead of copying it.
"""

from __future__ import annotations

import json

from dash import ALL, Dash, Input, Output

from layouts import ids


#: The State every page callback carries last: the release the page view was rendered with (None: current).
def release_state(release_id: object = None) -> dict:
    return {"id": ids.RELEASE_ID, "property": "data", "value": release_id}


CHART_CLICKS = Input({"type": ids.EXPLORE_CHART, "source": ALL}, "clickData").to_dict()


def dom_id(component_id: dict) -> str:
    """How Dash writes a pattern-matching id (sorted keys, no spaces)."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def explore_update(app: Dash) -> tuple[str, list[Output]]:
    """Dash's output key and the outputs of the Explore update callback: the one the chart clicks trigger."""
    for key, spec in app.callback_map.items():
        if CHART_CLICKS in spec["inputs"]:
            outputs = spec["output"]
            return key, outputs if isinstance(outputs, list) else [outputs]
    raise LookupError("no callback takes the Explore charts' clickData")


def concrete_outputs(outputs: list[Output], columns: list[str]) -> list:
    """The ``outputs`` of an update request: a pattern (ALL) output becomes one entry per chosen column."""
    out: list = []
    for o in outputs:
        cid, prop = o.component_id, o.component_property
        if isinstance(cid, dict):
            out.append([{"id": {k: c if v is ALL else v for k, v in cid.items()}, "property": prop} for c in columns])
        else:
            out.append({"id": cid, "property": prop})
    return out


def explore_click_payload(
    app: Dash, columns: list[str], state: list[str], clicked: tuple[str, str], release_id: str | None = None
) -> dict:
    """POST body of ``/_dash-update-component`` for a bar click on ``clicked = (column, value)``."""
    output, outputs = explore_update(app)
    chart_ids = [{"type": ids.EXPLORE_CHART, "source": c} for c in columns]
    filter_ids = [{"type": ids.EXPLORE_FILTER, "source": c} for c in columns]
    return {
        "output": output,
        "outputs": concrete_outputs(outputs, columns),
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
            release_state(release_id),
        ],
        "changedPropIds": [f"{dom_id({'type': ids.EXPLORE_CHART, 'source': clicked[0]})}.clickData"],
    }


EXPORT_FORMATS = ("csv", "xlsx", "parquet")


def grid_rows_payload(request: object, state: object, release_id: object = None) -> dict:
    """POST body of ``/_dash-update-component`` for the Data grid's block request ``request``."""
    export_ids = [{"type": ids.DATA_EXPORT, "table": "records", "fmt": f} for f in EXPORT_FORMATS]
    keys = [f"{ids.DATA_GRID}.getRowsResponse", f"{ids.DATA_COUNT}.children"] + [
        f"{dom_id(i)}.href" for i in export_ids
    ]
    return {
        "output": ".." + "...".join(keys) + "..",
        "outputs": [
            {"id": ids.DATA_GRID, "property": "getRowsResponse"},
            {"id": ids.DATA_COUNT, "property": "children"},
        ]
        + [{"id": i, "property": "href"} for i in export_ids],
        "inputs": [{"id": ids.DATA_GRID, "property": "getRowsRequest", "value": request}],
        "state": [{"id": ids.DATA_STATE, "property": "data", "value": state}, release_state(release_id)],
        "changedPropIds": [f"{ids.DATA_GRID}.getRowsRequest"],
    }


def page_content_payload(pathname: str, search: str, release_id: object = None) -> dict:
    """POST body of Dash pages' routing callback: the content of page ``pathname`` for ``search`` ("?a=1")."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [{"id": ids.RELEASE_ID, "property": "data", "value": release_id}],
        "changedPropIds": ["_pages_location.pathname"],
    }


def components(node):
    """Every component of a serialised Dash layout, depth first."""
    if isinstance(node, dict):
        if "namespace" in node and "props" in node:
            yield node
        for value in node.values():
            yield from components(value)
    elif isinstance(node, list):
        for item in node:
            yield from components(item)
