"""Page contents are built once per release, language and query, and served as plain JSON (issue 11, load)."""

from __future__ import annotations

import gc
import weakref

import pytest

from dashboard import views
from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.context import EXTENSION
from layouts import common, overview
from tests.dashboard.payloads import page_content_payload
from tests.dashboard.release_factory import RECORDS, build_release


@pytest.fixture
def counted(monkeypatch):
    """How many times the Overview layout was built (it asks for the headline figures once per build)."""
    builds: list[object] = []
    real = views.headlines

    def headlines(release):
        builds.append(release)
        return real(release)

    monkeypatch.setattr(views, "headlines", headlines)
    return lambda: len(builds)


def content(client, search: str = "", release_id=None, **headers) -> bytes:
    payload = page_content_payload("/", search, release_id)
    response = client.post("/_dash-update-component", json=payload, headers=headers)
    assert response.status_code == 200, response.data[:300]
    return response.data


def test_a_page_is_built_once_per_release_language_and_query(tmp_path, counted):
    build_release(tmp_path, dataset="first")
    app = create_app(Settings(data_dir=tmp_path, rate_limit_api="", rate_limit_exports=""))
    app.server.extensions[EXTENSION]["store"].recheck_seconds = 0
    client = app.server.test_client()
    client.get("/")
    first = content(client)
    assert counted() == 1
    assert content(client) == first and counted() == 1  # the same answer, not built again
    content(client, "?geo=country")
    assert counted() == 2  # another query
    content(client, **{"Accept-Language": "pt"})
    assert counted() == 3  # another language
    content(client, **{"Referer": "http://x/?lang=en"})
    assert counted() == 4  # English chosen by the reader: the page's links carry it
    build_release(tmp_path, dataset="second", records=RECORDS[:3])
    second = content(client)
    assert counted() == 5 and b"second-" in second and b"first-" not in second  # a new release: built anew


def test_the_remembered_page_is_the_json_of_the_built_page(tmp_path):
    build_release(tmp_path)
    app = create_app(Settings(data_dir=tmp_path, rate_limit_api="", rate_limit_exports=""))
    with app.server.test_request_context("/"):
        from dashboard import context

        release, profile = context.current()
        fresh = common.as_json(overview.layout.__wrapped__(release, profile))
        assert overview.layout() == fresh
        assert isinstance(overview.layout(), dict)  # plain JSON values, served without walking components


def test_a_release_and_everything_remembered_on_it_are_freed_once_it_can_no_longer_be_pinned(tmp_path):
    """The page, CSV and table memos live on the release: nothing else may keep a replaced release alive (worker
    memory would grow with every publication)."""
    build_release(tmp_path, dataset="d0")
    app = create_app(Settings(data_dir=tmp_path, rate_limit_api="", rate_limit_exports=""))
    store = app.server.extensions[EXTENSION]["store"]
    store.recheck_seconds = 0
    client = app.server.test_client()
    client.get("/")
    seen = []
    for i in range(1, 6):
        release_id = store.get().release_id
        seen.append(weakref.ref(store.get()))
        for page in ("/", "/explore", "/about", "/data"):
            client.post("/_dash-update-component", json=page_content_payload(page, "", release_id))
        for path in ("/export/records.csv", "/export/records.xlsx", "/api/v1/aggregates?columns=gender"):
            assert client.get(path).status_code == 200
        assert client.get("/api/v1/metadata").status_code == 200
        build_release(tmp_path, dataset=f"d{i}")
    store.get()
    gc.collect()
    assert [ref() is not None for ref in seen] == [False, False, False, True, True]  # store.keep = 2
