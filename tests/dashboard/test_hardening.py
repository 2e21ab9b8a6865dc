"""Issue 11, web side: malformed parameters are 4xx (never 5xx), security headers, bounded responses, rate limits."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import openpyxl
import pytest

from dashboard import exports
from dashboard.app import create_app
from dashboard.config import Settings
from layouts import ids
from tests.dashboard.payloads import components, grid_rows_payload, page_content_payload
from tests.dashboard.release_factory import RECORDS

NO_LIMITS = {"rate_limit_api": "", "rate_limit_exports": ""}


def make_client(data_dir, **settings):
    return create_app(Settings(data_dir=data_dir, **{**NO_LIMITS, **settings})).server.test_client()


@pytest.fixture
def client(data_dir):
    return make_client(data_dir)


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status, response.data[:300]
    error = response.get_json()["error"]
    assert isinstance(error, str) and error and "\n" not in error
    return error


# -- 5. malformed parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,message",
    [
        ("/api/v1/records?limit=%C2%B2", "limit must be an integer"),  # '²' is a digit to str.isdigit, not to int()
        ("/api/v1/records?offset=" + "9" * 5000, "offset must be an integer"),  # past int()'s 4,300-digit limit
        ("/api/v1/records?offset=%D9%A3", "offset must be an integer"),  # Arabic-Indic three
        ('/export/records.csv?fm={"gender":"x"}', "filter of column 'gender' must be an object"),
        ("/export/records.csv?fm=[1]", "must be a JSON dict"),
        ('/export/records.csv?fm={"gender":{"type":["x"]}}', "unsupported filter type"),
        ('/export/records.csv?fm={"gender":{"operator":"AND","conditions":[]}}', "non-empty list"),
        ('/export/records.csv?fm={"gender":{"operator":7,"conditions":[{}]}}', "AND or OR"),
        ('/export/records.csv?fm={"gender":{"filter":{"a":1}}}', "must be text"),
        ("/export/records.csv?sm=[1]", "sort model"),
        ('/export/records.csv?sm=[{"colId":"gender","sort":"up"}]', "sort model"),
        ('/export/records.csv?sm=[{"colId":["gender"]}]', "sort model"),
    ],
)
def test_malformed_parameters_are_400_json(client, url, message):
    assert message in assert_json_error(client.get(url), 400)


@pytest.mark.parametrize(
    "path",
    ["/_dash-component-suites/../..", "/_dash-component-suites/dash/../../x.js", "/_dash-component-suites/x/y.js"],
)
def test_unknown_component_suite_paths_are_404(client, path):
    assert_json_error(client.get(path), 404)


def rows_response(client, request, state=None):
    response = client.post("/_dash-update-component", json=grid_rows_payload(request, state))
    assert response.status_code in (200, 204), response.data[:300]
    return response.get_json()["response"] if response.status_code == 200 else None


@pytest.mark.parametrize(
    "request_value",
    [
        {"startRow": "abc", "endRow": 100},
        {"startRow": 0, "endRow": "1e9"},
        {"startRow": 1.5, "endRow": 10},
        {"startRow": True, "endRow": 10},
        {"startRow": 10, "endRow": 5},
        {"startRow": -5, "endRow": 5},
        "rows please",
        [0, 100],
    ],
)
def test_grid_block_requests_of_another_shape_update_nothing(client, request_value):
    assert not rows_response(client, request_value)  # no output updated, not a 500


@pytest.mark.parametrize(
    "models",
    [
        {"filterModel": [1]},
        {"filterModel": {"gender": "x"}},
        {"filterModel": {"gender": {"type": {"x": 1}}}},
        {"sortModel": {"colId": "gender"}},
        {"sortModel": [1]},
    ],
)
def test_grid_filter_and_sort_models_of_another_shape_are_reported_not_raised(client, models):
    out = rows_response(client, {"startRow": 0, "endRow": 100, **models})
    assert out[ids.DATA_GRID]["getRowsResponse"] == {"rowData": [], "rowCount": 0}
    assert out[ids.DATA_COUNT]["children"].startswith("Filter not applied: ")


@pytest.mark.parametrize("state", [5, "gender:Female", [1, None, {"a": 1}, ["gender:Female"]], {"gender": "Female"}])
def test_grid_state_of_another_shape_counts_as_no_selection(client, state):
    out = rows_response(client, {"startRow": 0, "endRow": 100}, state)
    assert out[ids.DATA_GRID]["getRowsResponse"]["rowCount"] == len(RECORDS)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"state": []}, "state must list 2 component values"),
        ({"inputs": "x"}, "inputs must list 1 component values"),
        ({"inputs": [5]}, "inputs must be component values"),
        ({"output": "nope"}, "no such callback"),
        ({"output": ["x"]}, "no such callback"),
        ({"outputs": [{"id": "data-grid", "property": "getRowsResponse"}]}, "outputs must list the callback's 5"),
        ({"changedPropIds": 5}, "changedPropIds must be a list of strings"),
    ],
)
def test_callback_requests_not_shaped_like_the_callback_are_400(client, change, message):
    payload = {**grid_rows_payload({"startRow": 0, "endRow": 10}, []), **change}
    assert message in assert_json_error(client.post("/_dash-update-component", json=payload), 400)


@pytest.mark.parametrize("body", [[1], "x", None, 5])
def test_callback_requests_that_are_not_objects_are_400(client, body):
    assert_json_error(client.post("/_dash-update-component", json=body), 400)


DEEP_JSON = "[" * 100_000 + "]" * 100_000  # deeper than the JSON parser's recursion limit


def test_json_nested_too_deeply_is_400_not_500(client):
    body = client.post("/_dash-update-component", data=DEEP_JSON, content_type="application/json")
    assert "must be a JSON object" in assert_json_error(body, 400)
    assert "fm must be JSON" in assert_json_error(
        client.get("/export/records.csv", query_string={"fm": DEEP_JSON}), 400
    )


@pytest.mark.parametrize(
    "search", ['?sm=[{"colId":[]}]', '?sm=[{"colId":"gender","sort":{}}]', "?sm=" + DEEP_JSON, "?fm=" + DEEP_JSON]
)
def test_data_page_ignores_grid_models_of_another_shape_in_its_url(client, search):
    """Found by the long fuzz profile: ``/data?sm=[{"colId":[]}]`` was a 500 (an unhashable column id)."""
    client.get("/")
    response = client.post("/_dash-update-component", json=page_content_payload("/data", search))
    assert response.status_code == 200
    grid = next(c for c in components(response.get_json()) if c["props"].get("id") == ids.DATA_GRID)
    assert grid["props"]["filterModel"] == {} and all("sort" not in col for col in grid["props"]["columnDefs"])


def test_data_permalink_ignores_values_of_another_shape(client):
    from callbacks.data import permalink

    query = permalink(["x"], {"a": 1}, 5, True, None, {"sortModel": [1]}, [3, "gender:Female"])
    assert query == "?f=gender%3AFemale&nr=1"


# -- 6. security headers ------------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/data?tab=records",
        "/nowhere",
        "/_dash-layout",
        "/api/v1/metadata",
        "/api/v1/nowhere",
        "/api/v1/records?limit=0",
        "/export/records.csv",
        "/export/aggregates.parquet?c=gender",
        "/healthz",
    ],
)
def test_security_headers_on_pages_api_and_exports(client, path):
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]


def test_every_inline_script_of_the_page_is_allowed_by_its_hash(client):
    """The CSP lists the hash of each inline script Dash writes into the page (the renderer's start and the
    clientside callbacks), so the browser runs them without ``'unsafe-inline'``."""
    response = client.get("/")
    script_src = re.search(r"script-src ([^;]*)", response.headers["Content-Security-Policy"]).group(1).split()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", response.data.decode(), re.S)
    executable = [body for attrs, body in inline if "application/json" not in attrs]
    assert len(executable) >= 2  # the renderer start and the clientside callbacks
    for body in executable:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src


# -- 7. bounded responses and rate limits -------------------------------------------------------------------


def test_grid_block_requests_are_capped(data_dir):
    client = make_client(data_dir, grid_max_rows=3)
    out = rows_response(client, {"startRow": 2, "endRow": 10**9})
    assert [r["id"] for r in out[ids.DATA_GRID]["getRowsResponse"]["rowData"]] == [2, 3, 4]
    assert out[ids.DATA_GRID]["getRowsResponse"]["rowCount"] == len(RECORDS)  # the grid still knows the total


def test_api_limit_is_capped_by_the_setting(data_dir):
    client = make_client(data_dir, api_max_limit=4)
    assert len(client.get("/api/v1/records?limit=4").get_json()["records"]) == 4
    assert "1..4" in assert_json_error(client.get("/api/v1/records?limit=5"), 400)


def test_excel_export_is_capped_and_built_once_per_release_and_query(data_dir, monkeypatch):
    client = make_client(data_dir, xlsx_max_rows=3)
    built = []
    real = exports.to_excel
    monkeypatch.setattr(exports, "to_excel", lambda *a: built.append(1) or real(*a))
    first = client.get("/export/records.xlsx?f=gender:Female")
    again = client.get("/export/records.xlsx?f=gender:Female")
    other = client.get("/export/records.xlsx?f=gender:Male")
    assert len(built) == 2 and first.data == again.data != other.data
    book = openpyxl.load_workbook(io.BytesIO(first.data))
    assert [row[0] for row in book["data"].iter_rows(min_row=2, values_only=True)] == [0, 1, 2]
    meta = dict(book["metadata"].iter_rows(min_row=2, values_only=True))
    assert meta["truncated"].startswith("first 3 of 5 rows") and "generated_at" in meta


def test_csv_export_rows_are_built_once_per_release_language_and_query_under_a_fresh_header(data_dir, monkeypatch):
    client = make_client(data_dir)
    built = []
    real = exports.csv_rows
    monkeypatch.setattr(exports, "csv_rows", lambda frame: built.append(len(frame)) or real(frame))
    first = client.get("/export/records.csv?f=gender:Female")
    monkeypatch.setattr(exports, "provenance", lambda *a: {**real_provenance(*a), "generated_at": "later"})
    again = client.get("/export/records.csv?f=gender:Female")
    assert len(built) == 1  # the rows of the second request come from the first
    assert b"# generated_at: later\n" in again.data and b"# generated_at: later" not in first.data
    assert first.data.split(b"\nid,", 1)[1] == again.data.split(b"\nid,", 1)[1]
    client.get("/export/records.csv?f=gender:Male")
    client.get("/export/records.csv?f=gender:Female", headers={"Accept-Language": "pt"})
    client.get("/export/aggregates.csv?c=gender")
    assert len(built) == 4  # another query, another language, another export
    monkeypatch.setattr(exports, "CSV_MEMO_MAX_RECORDS", len(RECORDS) - 1)  # a release above the bound
    client.get("/export/records.csv?f=gender:Male")
    client.get("/export/records.csv?f=gender:Male")
    assert len(built) == 6  # built for each request, not kept


real_provenance = exports.provenance


def test_rate_limits_per_client_answer_429_with_a_json_message(data_dir):
    client = make_client(data_dir, rate_limit_exports="2 per minute", rate_limit_api="3 per minute")
    statuses = [client.get(f"/export/records.{fmt}").status_code for fmt in ("csv", "parquet")]
    assert statuses == [200, 200]
    limited = client.get("/export/aggregates.csv?c=gender")  # one budget for every export route
    assert "too many requests" in assert_json_error(limited, 429) and limited.headers["Retry-After"]
    assert [client.get("/api/v1/metadata").status_code for _ in range(4)] == [200, 200, 200, 429]  # own budget
    other = client.get("/export/records.csv", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # per client address
    assert client.get("/").status_code == 200  # pages are not limited


def test_behind_a_trusted_proxy_limits_count_per_forwarded_client(data_dir):
    client = make_client(data_dir, rate_limit_exports="1 per minute", proxy_hops=1)
    first = {"X-Forwarded-For": "203.0.113.1"}
    assert client.get("/export/records.csv", headers=first).status_code == 200
    assert client.get("/export/records.csv", headers=first).status_code == 429
    assert client.get("/export/records.csv", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200
    untrusted = make_client(data_dir, rate_limit_exports="1 per minute")  # no proxy: the header is ignored
    assert untrusted.get("/export/records.csv", headers=first).status_code == 200
    assert untrusted.get("/export/records.csv", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


def test_settings_read_bounds_and_limits_from_the_environment():
    env = {
        "DASHBOARD_GRID_MAX_ROWS": "50",
        "DASHBOARD_API_MAX_LIMIT": "20",
        "DASHBOARD_XLSX_MAX_ROWS": "7",
        "DASHBOARD_RATE_LIMIT_API": "5/second",
        "DASHBOARD_RATE_LIMIT_EXPORTS": "",
        "DASHBOARD_RATELIMIT_STORAGE_URI": "memory://",
        "DASHBOARD_PROXY_HOPS": "1",
    }
    s = Settings.from_env(env)
    assert (s.grid_max_rows, s.api_max_limit, s.xlsx_max_rows) == (50, 20, 7)
    assert (s.rate_limit_api, s.rate_limit_exports, s.proxy_hops) == ("5/second", "", 1)
    for bad in (
        {"DASHBOARD_GRID_MAX_ROWS": "0"},
        {"DASHBOARD_API_MAX_LIMIT": "²"},
        {"DASHBOARD_RATE_LIMIT_API": "x"},
        {"DASHBOARD_RATELIMIT_STORAGE_URI": "bogus://x"},
        {"DASHBOARD_RATELIMIT_STORAGE_URI": "localhost:6379"},
    ):
        with pytest.raises(ValueError, match="DASHBOARD_"):
            Settings.from_env(bad)
