"""Hypothesis fuzzing of every query parameter of every API and export route, and of the grid callback payload.

Invariants: never a 5xx; an error is JSON ``{"error": one line}``; no traceback or server path in any answer;
a grid answer never holds more rows than ``grid_max_rows``. Profiles: tests/conftest.py ("ci" by default,
``--hypothesis-profile=long`` for deeper runs).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from dash import Dash
from hypothesis import given
from hypothesis import strategies as st

from dashboard.app import create_app
from dashboard.config import Settings
from layouts import ids
from tests.dashboard.payloads import explore_click_payload, grid_rows_payload, page_content_payload
from tests.dashboard.release_factory import COLUMNS, MULTI, build_release

GRID_MAX_ROWS = 4

#: Every data route and its query parameters.
ROUTES = {
    "/api/v1/metadata": (),
    "/api/v1/aggregates": ("format", "columns", "filter", "include_not_reported"),
    "/api/v1/records": ("format", "offset", "limit", "filter"),
    "/export/records.{fmt}": ("f", "fm", "sm"),
    "/export/aggregates.{fmt}": ("c", "f", "nr"),
}
SOURCES = [name for name, _, _ in COLUMNS] + [name for name, _, _ in MULTI]
VALUES = [v for _, _, values in COLUMNS + MULTI for v in values]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
#: Plausible and hostile values alike: known names, filters, models, numbers of any size, any text.
names = st.sampled_from(SOURCES + VALUES + ["json", "csv", "xlsx", "true", "0", ""])
filter_models = st.dictionaries(
    st.sampled_from(SOURCES) | st.text(max_size=8),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["contains", "equals", "notEqual", "blank", "bogus"]) | json_values},
        optional={"filter": json_values, "operator": json_values, "conditions": json_values},
    )
    | json_values,
    max_size=3,
)
sort_models = st.lists(
    st.fixed_dictionaries({"colId": st.sampled_from(SOURCES) | json_values}, optional={"sort": json_values})
    | json_values,
    max_size=3,
)
hostile = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4),  # '²', '٣': digits to str.isdigit
    st.sampled_from([4301, 5000]).map(lambda n: "9" * n),  # past int()'s 4,300-digit limit
    json_values.map(json.dumps),
)
numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str) | hostile
selections = st.builds(lambda s, v: f"{s}:{v}", st.sampled_from(SOURCES) | st.text(max_size=6), st.sampled_from(VALUES))
columns = st.sampled_from(SOURCES) | st.lists(st.sampled_from(SOURCES), max_size=3).map(",".join)
flags = st.sampled_from(["true", "false", "1", "0", "yes", "maybe", ""])
#: Plausible and hostile values of each parameter (any other name: hostile values).
PARAM_VALUES = {
    "format": st.sampled_from(["json", "csv", "xlsx", ""]) | hostile,
    "columns": columns | hostile,
    "c": columns | hostile,
    "filter": selections | hostile,
    "f": selections | hostile,
    "include_not_reported": flags | hostile,
    "nr": flags | hostile,
    "offset": numbers,
    "limit": numbers,
    "fm": filter_models.map(json.dumps) | hostile,
    "sm": sort_models.map(json.dumps) | hostile,
}


def fuzzed_app(data_dir: Path) -> Dash:
    """The app the fuzz tests send requests to: the hand-made release in ``data_dir``, no rate limits."""
    build_release(data_dir)
    settings = Settings(data_dir=data_dir, grid_max_rows=GRID_MAX_ROWS, rate_limit_api="", rate_limit_exports="")
    return create_app(settings)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fuzz-data")
    return fuzzed_app(data_dir), str(data_dir)


def leaks(response, data_dir: str) -> bool:
    """Whether an answer shows a traceback or a server path (the data folder)."""
    text = response.get_data().decode("utf-8", "replace")
    return "Traceback" in text or data_dir in text


def assert_clean(response, data_dir: str) -> None:
    assert response.status_code < 500, response.data[:300]
    assert not leaks(response, data_dir)
    if response.status_code >= 400 and response.mimetype == "application/json":
        error = response.get_json()["error"]
        assert isinstance(error, str) and error and "\n" not in error


@st.composite
def data_route_urls(draw, route: str) -> str:
    """A URL of ``route`` (any export format) with its parameters, each once or twice, plausible or hostile, and
    parameters of other names."""
    fmt = draw(st.sampled_from(["csv", "xlsx", "parquet"]) | st.text(max_size=6))
    names = st.sampled_from(ROUTES[route]) | st.text(max_size=5) if ROUTES[route] else st.text(max_size=5)
    chosen = draw(st.dictionaries(names, st.integers(1, 2)))
    query = [(name, draw(PARAM_VALUES.get(name, hostile))) for name, repeat in chosen.items() for _ in range(repeat)]
    return route.format(fmt=fmt) + "?" + urlencode(query)


@pytest.mark.parametrize("route", sorted(ROUTES))
@given(data=st.data())
def test_data_routes_never_answer_5xx(fuzz_app, route, data):
    app, data_dir = fuzz_app
    response = app.server.test_client().get(data.draw(data_route_urls(route)))
    assert_clean(response, data_dir)
    if response.status_code >= 400:
        assert response.mimetype == "application/json"


grid_requests = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "startRow": st.integers(min_value=-5, max_value=10**12) | json_values,
            "endRow": st.integers(min_value=-5, max_value=10**12) | json_values,
            "filterModel": filter_models | json_values,
            "sortModel": sort_models | json_values,
        },
    ),
)
states = st.lists(st.builds(lambda s, v: f"{s}:{v}", st.sampled_from(SOURCES), st.sampled_from(VALUES))) | json_values


@given(request=grid_requests, state=states)
def test_grid_callback_never_raises(fuzz_app, request, state):
    app, data_dir = fuzz_app
    response = app.server.test_client().post("/_dash-update-component", json=grid_rows_payload(request, state))
    assert_clean(response, data_dir)
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        rows = response.get_json()["response"].get(ids.DATA_GRID, {}).get("getRowsResponse", {}).get("rowData", [])
        assert len(rows) <= GRID_MAX_ROWS


ENVELOPE_KEYS = ["output", "outputs", "inputs", "state", "changedPropIds"]


def envelope(drop: set[str], replace: dict) -> dict:
    """The grid's callback request with the keys ``drop`` left out and the keys of ``replace`` replaced."""
    payload = {k: v for k, v in grid_rows_payload({"startRow": 0, "endRow": 2}, []).items() if k not in drop}
    return {**payload, **replace}


envelopes = st.builds(
    envelope, st.sets(st.sampled_from(ENVELOPE_KEYS)), st.dictionaries(st.sampled_from(ENVELOPE_KEYS), json_values)
)


@given(body=envelopes)
def test_callback_envelopes_of_another_shape_are_400_not_500(fuzz_app, body):
    """Keys of the grid's callback request dropped or replaced by any JSON: a 4xx with a JSON error, or served."""
    app, data_dir = fuzz_app
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert_clean(response, data_dir)


#: Every page's query parameters (see dashboard/urlstate.py and the page layouts).
PAGE_PARAMS = ("geo", "c", "f", "tab", "nr", "fm", "af", "sm")


@st.composite
def page_searches(draw) -> str:
    """A page's query string ("?..."): its parameters and others, plausible or hostile values."""
    names = draw(st.lists(st.sampled_from(PAGE_PARAMS) | st.text(max_size=5), max_size=5))
    return "?" + urlencode([(name, draw(PARAM_VALUES.get(name, hostile))) for name in names])


release_ids = st.none() | st.text(max_size=30) | json_values
page_contents = st.builds(
    page_content_payload,
    st.sampled_from(["/", "/explore", "/data", "/about", "/nowhere"]),
    page_searches(),
    release_ids,
)


@given(payload=page_contents)
def test_page_content_never_raises(fuzz_app, payload):
    """Dash pages' routing callback renders any page for any query string and any pinned release id."""
    app, data_dir = fuzz_app
    client = app.server.test_client()
    client.get("/")  # Dash pages registers its routing callback at the first request
    response = client.post("/_dash-update-component", json=payload)
    assert_clean(response, data_dir)
    assert response.status_code == 200


#: An Explore bar click for any chart columns (unknown, not text), clicked value, selections and release:
#: ``explore_click_payload(app, *args)``.
explore_clicks = st.tuples(
    st.lists(st.sampled_from(SOURCES) | st.text(max_size=8) | json_values, min_size=1, max_size=4),
    states,
    st.sampled_from(VALUES) | json_values,
    release_ids,
).map(lambda t: (t[0], t[1], (t[0][0], t[2]), t[3]))


@given(args=explore_clicks)
def test_explore_click_never_raises(fuzz_app, args):
    """An Explore bar click for any chart columns (unknown, not text), clicked value, selections and release."""
    app, data_dir = fuzz_app
    payload = explore_click_payload(app, *args)
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    assert_clean(response, data_dir)
    assert response.status_code in (200, 204)
