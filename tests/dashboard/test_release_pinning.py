"""Issue 11, item 8: one page view never mixes two releases, even when ``current`` moves during it.

The shell keeps the release it showed in the ``RELEASE_ID`` store; the page content (Dash pages' routing
callback) and every page callback are served that release; one request resolves its release once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from flask import g

from dashboard import context
from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.context import EXTENSION
from dashboard.store import ReleaseStore
from layouts import ids
from tests.dashboard.payloads import grid_rows_payload, page_content_payload
from tests.dashboard.release_factory import RECORDS, build_release

SHORT = RECORDS[:3]  # the second release: 3 synthetic records instead of 8


@pytest.fixture
def app(tmp_path):
    build_release(tmp_path, dataset="first")
    app = create_app(Settings(data_dir=tmp_path, rate_limit_api="", rate_limit_exports=""))
    app.server.extensions[EXTENSION]["store"].recheck_seconds = 0  # see every swap at once
    return app


def shell_release_id(client) -> str:
    layout = json.dumps(client.get("/_dash-layout").get_json())
    start = layout.index(f'"id": "{ids.RELEASE_ID}"')
    return json.loads("{" + layout[start:].split("}", 1)[0] + "}")["data"]


def page_content(client, pathname: str, release_id: str | None) -> str:
    response = client.post("/_dash-update-component", json=page_content_payload(pathname, "", release_id))
    assert response.status_code == 200, response.data[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"]["children"])


def grid_count(client, release_id: object) -> int:
    payload = grid_rows_payload({"startRow": 0, "endRow": 100}, [], release_id)
    out = client.post("/_dash-update-component", json=payload).get_json()["response"]
    return out[ids.DATA_GRID]["getRowsResponse"]["rowCount"]


def test_page_content_and_callbacks_use_the_release_the_shell_showed(app, tmp_path):
    client = app.server.test_client()
    client.get("/data")
    first = shell_release_id(client)
    assert first.startswith("first-")
    build_release(tmp_path, dataset="second", records=SHORT)  # published between the shell and its content
    content = page_content(client, "/about", first)
    parameters = content.split("Release parameters", 1)[1].split("Release history", 1)[0]
    assert first in parameters and "second-" not in parameters
    assert grid_count(client, first) == len(RECORDS)  # the grid pages through the first release
    notice = content.split(ids.RELOAD_NOTICE, 1)[0]  # the page says a newer release exists, and reloads
    assert "Release second-" in notice and '"href": ""' in content
    assert ids.RELOAD_NOTICE not in page_content(client, "/about", shell_release_id(client))
    assert grid_count(client, None) == len(SHORT)  # a new page view (reload) gets the new release
    second = shell_release_id(client)
    assert second.startswith("second-") and grid_count(client, second) == len(SHORT)


def test_one_request_resolves_its_release_once(app, tmp_path, monkeypatch):
    """``current`` moves in the middle of a request: everything that request renders stays on one release."""
    store: ReleaseStore = app.server.extensions[EXTENSION]["store"]
    real_get = ReleaseStore.get
    calls = []

    def get_then_swap(self):
        release = real_get(self)
        if not calls:
            build_release(tmp_path, dataset="second", records=SHORT)
        calls.append(release.release_id)
        return release

    monkeypatch.setattr(ReleaseStore, "get", get_then_swap)
    with app.server.test_request_context("/"):
        first = context.current()
        again = context.current()
        assert first is not None and again is not None and again[0] is first[0]
        assert len(calls) == 1 and "dp_releases" in g
    assert store.get().dataset.name == "second"  # the next request sees the swap


def test_a_page_view_gets_its_release_from_every_worker(app, tmp_path):
    """Two apps on one data folder stand for two gunicorn workers (each its own store): the page rendered by one
    and called back on the other, which had only seen the newer release, still gets the page's release."""
    client = app.server.test_client()
    first = shell_release_id(client)
    build_release(tmp_path, dataset="second", records=SHORT)
    other = create_app(Settings(data_dir=tmp_path, rate_limit_api="", rate_limit_exports="")).server.test_client()
    assert shell_release_id(other).startswith("second-")
    assert grid_count(other, first) == len(RECORDS) and grid_count(client, first) == len(RECORDS)
    assert first in page_content(other, "/about", first).split("Release history", 1)[0]


def test_a_worker_that_never_loaded_the_pinned_release_loads_it(tmp_path):
    """gunicorn workers each have a store: a page view rendered by one worker may call back into another,
    which loads the pinned release from its (immutable, shared) folder."""
    build_release(tmp_path, dataset="first")
    other_worker = ReleaseStore(tmp_path, recheck_seconds=0)
    pinned_id = ReleaseStore(tmp_path).get().release_id
    build_release(tmp_path, dataset="second", records=SHORT)
    assert other_worker.get().dataset.name == "second"
    pinned = other_worker.pinned(pinned_id)
    assert pinned.release_id == pinned_id and pinned.n_synthetic == len(RECORDS)
    assert other_worker.pinned(pinned_id) is pinned  # kept, not loaded again


def test_only_the_releases_published_last_can_be_pinned(tmp_path):
    """No client can make a worker load old release after old release: past ``keep``, the current one."""
    published = []
    for day, name in enumerate(("third", "second", "first"), start=1):  # published in this order, names unsorted
        build_release(tmp_path, dataset=name, when=datetime(2026, 1, day, tzinfo=UTC))
        published.append(ReleaseStore(tmp_path).get().release_id)
    store = ReleaseStore(tmp_path, keep=1)
    assert store.get().release_id == published[2]
    assert store.pinned(published[1]).release_id == published[1]
    assert store.pinned(published[0]) is store.get()


@pytest.mark.parametrize("bogus", ["nope", "../releases", ".tmp-x", "a/b", "x\x00y", "x" * 5000, ""])
def test_an_unknown_pinned_release_falls_back_to_the_current_one(tmp_path, bogus):
    build_release(tmp_path, dataset="first")
    store = ReleaseStore(tmp_path)
    assert store.pinned(bogus) is store.get()


def test_pinned_release_ids_of_another_shape_mean_the_current_release(app):
    client = app.server.test_client()
    for value in (5, ["x"], {"a": 1}, "nope"):
        assert grid_count(client, value) == len(RECORDS)
