"""The wired app through Flask's test client: pages, /_dash-update-component callbacks, API and exports."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.app import create_app
from dashboard.config import Settings
from layouts import ids
from tests.dashboard.payloads import (
    CHART_CLICKS,
    components,
    dom_id,
    explore_click_payload,
    explore_update,
    release_state,
)


def multi_output(parts: list[str]) -> str:
    """Dash's id of a multi-output callback."""
    return ".." + "...".join(parts) + ".."


def _update(
    client,
    output: str,
    outputs: list[dict],
    inputs: list[dict],
    state: list[dict] | None = None,
    changed: list[str] | None = None,
) -> dict:
    payload = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "state": [*(state or []), release_state()],  # page callbacks: the page view's release last
        "changedPropIds": changed or [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()["response"]


@pytest.mark.parametrize("path", ["/", "/explore", "/data", "/about", "/explore?c=gender&f=gender:Male&f=bogus:1"])
def test_pages_and_layout_render(client, path):
    assert client.get(path).status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and b"sample-" in layout.data


def test_nav_links_every_page_in_order(client):
    """The header's navigation (and its copy in the narrow-screen navbar) is built from the registered pages,
    ordered by ``order``."""
    from dashboard.app import pages

    nav = [
        c["props"]
        for c in components(client.get("/_dash-layout").get_json())
        if c["props"].get("className") == "nav-link"
    ]
    expected = [(p.name, p.path) for p in sorted(pages(), key=lambda p: p.order)]
    # each keeps the page's language in the address (a tab stays in its language: docs/i18n.md)
    assert [(n["children"], n["href"]) for n in nav] == [(name, f"{path}?lang=en") for name, path in expected] * 2
    assert [name for name, _ in expected] == ["Overview", "Explore", "Data", "About this data"]


def test_healthz(client):
    assert client.get("/healthz").data == b"OK"


@pytest.mark.parametrize("path", ["/nope", "/explore/nope", "/about-us"])
def test_unknown_page_is_a_404_that_still_shows_the_app(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.content_type.startswith("text/html")
    assert b"_dash-config" in response.data  # the app's page, which renders Dash's "not found" view


@pytest.mark.parametrize("path", ["/", "/explore", "/explore/", "/data", "/about", "/explore?c=gender"])
def test_known_pages_answer_200(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/nonexistent", "/api/v2/metadata", "/export/x.csv", "/export/records"])
def test_unknown_data_routes_are_json_404s(client, path):
    response = client.get(path)
    message = f"no such endpoint: {path}"
    assert response.status_code == 404
    assert response.get_json() == {"error": message, "code": "no_such_endpoint", "message": message}


def test_no_release_still_starts_and_explains(tmp_path):
    client = create_app(Settings(data_dir=tmp_path)).server.test_client()
    assert client.get("/healthz").status_code == 200
    assert b"No release published yet" in client.get("/_dash-layout").data
    response = client.get("/api/v1/metadata")
    assert response.status_code == 503 and "python -m synth demo" in response.get_json()["error"]


def test_without_a_release_pages_explain_and_callbacks_update_nothing(tmp_path):
    from dash.exceptions import PreventUpdate
    from plotly.io.json import to_json_plotly

    from callbacks import data as data_callbacks
    from callbacks import explore as explore_callbacks
    from callbacks import overview as overview_callbacks
    from layouts import about, data, explore, overview

    app = create_app(Settings(data_dir=tmp_path))
    calls = [
        (explore_callbacks.restructure, (["gender"], [])),
        (explore_callbacks.update, ([None], [None], [], 0, ["gender"], [])),
        (overview_callbacks.switch_geography, ("CountryOfExploitation",)),
        (overview_callbacks.open_in_explore, ([], None, None)),
        (data_callbacks.rows_page, ({"startRow": 0, "endRow": 100}, [])),
        (data_callbacks.aggregate_view, (["gender"], [], True)),
    ]
    with app.server.test_request_context("/"):
        for page in (overview, explore, data, about):
            assert '"id":"no-release"' in to_json_plotly(page.layout(tab="records"))
        for callback, args in calls:
            with pytest.raises(PreventUpdate):
                callback(*args)


def test_query_parameters_named_like_the_release_arguments_are_ignored(app):
    """Layouts take (release, profile) positionally, so ``?release=...&profile=...`` cannot collide."""
    from plotly.io.json import to_json_plotly

    from layouts import about, data, explore, overview

    with app.server.test_request_context("/"):
        for page in (overview, explore, data, about):
            assert "no-release" not in to_json_plotly(page.layout(release="x", profile="y"))


def test_explore_bar_click_callback_filters(app, client):
    payload = explore_click_payload(app, ["gender", "ageBroad"], [], ("gender", "Male"))
    out = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert out[ids.EXPLORE_STATE]["data"] == ["gender:Male"]
    assert out[ids.EXPLORE_URL]["search"] == "?c=gender&c=ageBroad&f=gender%3AMale&lang=en"
    assert "published count 40" in out[ids.EXPLORE_SUMMARY]["children"]
    assert out[ids.EXPLORE_TO_DATA]["href"] == "/data?f=gender%3AMale&lang=en"
    assert out[dom_id({"type": ids.EXPLORE_FILTER, "source": "gender"})]["value"] == "Male"
    age = out[dom_id({"type": ids.EXPLORE_CHART, "source": "ageBroad"})]["figure"]
    assert age["data"][1]["customdata"] == ["09--17", "18--20"]  # Male & age: 12 and 25, estimates 1 and 2
    assert age["data"][1]["x"] == [12, 25] and age["data"][0]["x"] == [1, 2]


def test_explore_second_click_clears(app, client):
    payload = explore_click_payload(app, ["gender"], ["gender:Male"], ("gender", "Male"))
    out = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert out[ids.EXPLORE_STATE]["data"] == []


def test_explore_payload_outputs_are_the_callbacks(app, client):
    """The payload's outputs, read from the callback map, are exactly what the served callback answers."""
    output, outputs = explore_update(app)
    served = next(d for d in client.get("/_dash-dependencies").get_json() if d["output"] == output)
    assert CHART_CLICKS in served["inputs"]
    columns = ["gender", "ageBroad", "perpGender"]
    payload = explore_click_payload(app, columns, [], ("gender", "Male"))
    flat = [o for group in payload["outputs"] for o in (group if isinstance(group, list) else [group])]
    expected = {(o["id"] if isinstance(o["id"], str) else dom_id(o["id"]), o["property"]) for o in flat}
    out = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert {(i, prop) for i, props in out.items() for prop in props} == expected
    assert len(expected) == 2 * len(columns) + len(outputs) - 2  # two ALL outputs, one entry per column


@pytest.mark.parametrize("columns", [["gender", "nope"], ["gender", ["x"]]])
def test_explore_update_for_charts_the_release_lacks_updates_nothing(app, client, columns):
    """A crafted click body naming chart columns the release has not: no update (204), not a 500."""
    payload = explore_click_payload(app, columns, [], ("gender", "Female"))
    assert client.post("/_dash-update-component", json=payload).status_code == 204


def test_explore_column_change_rebuilds_grid(client):
    deps = [d["output"] for d in client.get("/_dash-dependencies").get_json()]
    output = next(o for o in deps if o.startswith("..explore-grid.children"))
    payload = {
        "output": output,
        "outputs": [{"id": ids.EXPLORE_GRID, "property": "children"}, {"id": ids.EXPLORE_URL, "property": "search"}],
        "inputs": [{"id": ids.EXPLORE_COLUMNS, "property": "value", "value": ["perpGender", "nope"]}],
        "state": [{"id": ids.EXPLORE_STATE, "property": "data", "value": ["gender:Female"]}, release_state()],
        "changedPropIds": [f"{ids.EXPLORE_COLUMNS}.value"],
    }
    out = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert out[ids.EXPLORE_URL]["search"] == "?c=perpGender&f=gender%3AFemale&lang=en"
    assert json.dumps(out[ids.EXPLORE_GRID]["children"]).count('"explore-chart"') == 1


def test_data_rows_callback_pages_filters_and_sorts(client):
    outputs = [{"id": ids.DATA_GRID, "property": "getRowsResponse"}, {"id": ids.DATA_COUNT, "property": "children"}]
    outputs += [
        {"id": {"type": ids.DATA_EXPORT, "table": "records", "fmt": f}, "property": "href"}
        for f in ("csv", "xlsx", "parquet")
    ]
    output = multi_output(
        ["data-grid.getRowsResponse", "data-count.children"]
        + [
            json.dumps({"fmt": f, "table": "records", "type": ids.DATA_EXPORT}, separators=(",", ":")) + ".href"
            for f in ("csv", "xlsx", "parquet")
        ]
    )
    request = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "CountryOfExploitation", "sort": "desc"}],
        "filterModel": {"ageBroad": {"filterType": "text", "type": "equals", "filter": "18--20"}},
    }
    out = _update(
        client,
        output,
        outputs,
        [{"id": ids.DATA_GRID, "property": "getRowsRequest", "value": request}],
        [{"id": ids.DATA_STATE, "property": "data", "value": ["gender:Female"]}],
        ["data-grid.getRowsRequest"],
    )
    rows = out[ids.DATA_GRID]["getRowsResponse"]["rowData"]
    assert out[ids.DATA_GRID]["getRowsResponse"]["rowCount"] == 3
    assert [r["id"] for r in rows] == [0, 1, 7] and {r["CountryOfExploitation"] for r in rows} == {
        "United States"
    }  # names in the grid
    href = out[json.dumps({"fmt": "csv", "table": "records", "type": ids.DATA_EXPORT}, separators=(",", ":"))]["href"]
    assert href.startswith("/export/records.csv?f=gender%3AFemale&fm=")
    csv = client.get(href).data.decode()
    assert pd.read_csv(io.StringIO(csv), comment="#")["id"].tolist() == [0, 1, 7]


def test_api_aggregates_json_and_csv(client):
    body = client.get("/api/v1/aggregates?columns=gender&filter=ageBroad:09--17").get_json()
    rows = {r["gender"]: r for r in body["rows"]}
    assert rows["Female"]["status"] == "not reported" and rows["Female"]["count"] is None
    # whole records: 12 ± 1.96·3 = 6.12..17.88 is published as 6..18
    assert (rows["Male"]["count"], rows["Male"]["low"], rows["Male"]["high"], rows["Male"]["sd"]) == (12, 6, 18, 3.0)
    assert "estimated" not in rows["Male"]
    csv = client.get("/api/v1/aggregates?columns=gender,perpGender&format=csv&include_not_reported=false")
    frame = pd.read_csv(io.StringIO(csv.data.decode()), comment="#")
    assert frame["count"].tolist() == [21, 14, 28]
    assert "Female,Female,21,3.0,15,27,published" in csv.data.decode()  # whole counts and bounds, not 21.0


@pytest.mark.parametrize(
    "query,message",
    [
        ("columns=nope", "unknown column"),
        ("columns=gender&filter=gender", "column:value"),
        ("columns=gender&filter=ageBroad:99", "unknown value"),
        ("columns=gender,ageBroad&filter=yearRegister:2019", "exceed the reporting length"),
        ("columns=gender&format=xml", "format must be one of"),
        ("columns=gender&include_not_reported=maybe", "true or false"),
        ("", "at least one column"),
    ],
)
def test_api_aggregates_rejects_bad_input(client, query, message):
    response = client.get("/api/v1/aggregates?" + query)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_query_errors_are_400_on_every_route(client):
    """QueryError from the query layer (and the grid's FilterError, one of them) becomes a JSON 400."""
    response = client.get("/export/aggregates.csv?c=gender&c=ageBroad&f=yearRegister:2019")
    assert response.status_code == 400
    assert (
        response.get_json()["error"]
        == "3 attributes exceed the reporting length 2: such combinations are not published"
    )
    assert response.get_json()["code"] == "invalid_query"
    response = client.get("/export/aggregates.xlsx")
    assert response.status_code == 400 and response.get_json()["error"] == "choose at least one column or filter"
    response = client.get('/export/records.csv?sm=[{"colId":"nope","sort":"asc"}]')
    assert response.status_code == 400 and response.get_json()["error"] == "unknown sort column 'nope'"


def test_aggregate_builder_callback_shows_query_errors(client):
    fmts = ("csv", "xlsx", "parquet")
    outputs = [
        {"id": ids.AGG_GRID, "property": "rowData"},
        {"id": ids.AGG_GRID, "property": "columnDefs"},
        {"id": ids.AGG_NOTE, "property": "children"},
    ] + [{"id": {"type": ids.DATA_EXPORT, "table": "aggregates", "fmt": f}, "property": "href"} for f in fmts]
    output = multi_output(
        ["agg-grid.rowData", "agg-grid.columnDefs", "agg-note.children"]
        + [dom_id({"type": ids.DATA_EXPORT, "table": "aggregates", "fmt": f}) + ".href" for f in fmts]
    )

    def build(columns: list[str], filters: list[str]) -> dict:
        inputs = [
            {"id": ids.AGG_COLUMNS, "property": "value", "value": columns},
            {"id": ids.AGG_FILTERS, "property": "value", "value": filters},
            {"id": ids.AGG_NOT_REPORTED, "property": "checked", "value": True},
        ]
        return _update(client, output, outputs, inputs, changed=[f"{ids.AGG_COLUMNS}.value"])

    out = build(["gender", "ageBroad"], ["yearRegister:2019"])
    assert out[ids.AGG_NOTE]["children"] == (
        "3 attributes exceed the reporting length 2: such combinations are not published"
    )
    assert out[ids.AGG_GRID]["rowData"] == []
    out = build(["gender"], [])
    assert out[ids.AGG_NOTE]["children"] == "2 combinations, 2 published."
    assert [r["count"] for r in out[ids.AGG_GRID]["rowData"]] == [50, 40]


def test_api_records_paging_and_validation(client):
    body = client.get("/api/v1/records?offset=1&limit=2&filter=gender:Female").get_json()
    assert body["total"] == 5 and [r["id"] for r in body["records"]] == [1, 2]
    assert body["records"][0]["perpGender"] == "Female;Male"
    assert client.get("/api/v1/records?limit=5000").status_code == 400
    assert client.get("/api/v1/records?offset=-1").status_code == 400


def test_api_metadata(client):
    body = client.get("/api/v1/metadata").get_json()
    assert body["release"]["privacy"]["epsilon"] == 4.0
    assert [c["name"] for c in body["columns"]][-1] == "perpGender" and len(body["history"]) == 1


def test_api_metadata_serialises_the_release_metadata_once(client, monkeypatch):
    from dashboard import context

    first = client.get("/api/v1/metadata").get_json()["release"]
    with client.application.test_request_context("/"):
        release = context.store().get()
        assert first == release.metadata.to_json()
        monkeypatch.setattr(type(release.metadata), "to_json", lambda self: pytest.fail("serialised again"))
    assert client.get("/api/v1/metadata").get_json()["release"] == first


def test_exports_carry_provenance_and_neutralise(client):
    xlsx = client.get("/export/aggregates.xlsx?c=gender&f=ageBroad:18--20")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    meta = {k: v for k, v in book["metadata"].iter_rows(min_row=2, values_only=True)}
    assert meta["release_id"].startswith("sample-") and f"release {meta['release_id']}" in meta["citation"]
    data = list(book["data"].iter_rows(values_only=True))
    assert data[0][:3] == ("gender", "ageBroad", "count") and data[1][2] == 33
    parquet = pq.read_table(io.BytesIO(client.get("/export/aggregates.parquet?c=gender").data))
    assert parquet.column("count").to_pylist() == [50, 40]
    assert client.get("/export/records.zip").status_code == 404
    assert client.get('/export/records.csv?fm={"nope":{"type":"contains","filter":"x"}}').status_code == 400


def test_filesystem_cache_backend_serves_pages(data_dir, tmp_path):
    settings = Settings(data_dir=data_dir, cache_type="FileSystemCache", cache_dir=tmp_path / "cache")
    app = create_app(settings)
    client = app.server.test_client()
    payload = explore_click_payload(app, ["gender", "ageBroad"], [], ("gender", "Female"))
    for _ in range(2):  # second round is served from the file cache
        out = client.post("/_dash-update-component", json=payload).get_json()
        assert "published count 50" in out["response"][ids.EXPLORE_SUMMARY]["children"]
    assert any((tmp_path / "cache").iterdir())


def test_an_unreachable_redis_cache_costs_speed_not_answers(data_dir):
    """RedisCache pointing at a closed port: pages and callbacks are built without the cache (no 500)."""
    pytest.importorskip("redis")
    from tests.e2e.servers import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(Settings(data_dir=data_dir, cache_type="RedisCache", cache_redis_url=url))
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 200
    out = client.post("/_dash-update-component", json=explore_click_payload(app, ["gender"], [], ("gender", "Female")))
    assert out.status_code == 200
    assert "published count 50" in out.get_json()["response"][ids.EXPLORE_SUMMARY]["children"]


@pytest.mark.parametrize("dataset", ["sample", "ctdc_vp", "mystery"])
def test_every_page_renders_for_any_profile(tmp_path, dataset):
    """Shipped profiles and the automatic one: every page's layout builds and serialises."""
    from plotly.io.json import to_json_plotly

    from layouts import about, data, explore, overview
    from tests.dashboard.release_factory import build_release

    build_release(tmp_path, dataset=dataset)
    app = create_app(Settings(data_dir=tmp_path))
    with app.server.test_request_context("/"):
        for page in (overview, explore, data, about):
            text = to_json_plotly(page.layout())
            assert "no-release" not in text and "Traceback" not in text


def test_about_page_shows_the_cumulative_spend_of_the_dataset(app, release):
    """Issue 8: the release's own (ε, δ) and the source's cumulative (Σε, Σδ) by the ledger."""
    from dataclasses import replace

    from plotly.io.json import to_json_plotly

    from layouts import about

    rows = dict(about.parameter_rows(release))
    assert rows["Privacy loss ε"] == "4" and rows["δ"] == "1e-05"
    # issue 10, item 6: method names in words, counts with separators (not "dp_marginals", "21189")
    assert rows["Mechanism"] == "Gaussian noise on the counts of attribute combinations"
    words = about.readable_value
    assert words("raked_marginals") == "raked marginals" and words("unknown_code") == "unknown_code"
    assert words(21189) == words(21189.0) == "21,189" and words([115.5, 0.0]) == "115.5, 0"
    assert rows["Cumulative ε of this dataset (all its releases, this one included)"] == "12"
    assert rows["Cumulative δ of this dataset (all its releases, this one included)"] == "3e-06"
    with app.server.test_request_context("/"):
        page = to_json_plotly(about.layout())
    assert "Cumulative ε of this dataset" in page and '"12"' in page and '"3e-06"' in page
    void = replace(release.privacy, cumulative_epsilon=None, cumulative_delta=None)
    rows = dict(about.parameter_rows(replace(release, metadata=replace(release.metadata, privacy=void))))
    assert rows["Cumulative ε of this dataset (all its releases, this one included)"] == about.NO_GUARANTEE
