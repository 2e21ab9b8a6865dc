"""The per-release memo (LRU bound per name, threads, dropped with its release) and the view-model cache."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from flask import Flask

from dashboard import query as q
from dashboard import records
from dashboard.cache import cached_view, init_cache
from dashboard.config import Settings
from dashboard.context import profile_of
from dashboard.memo import Memo
from dashboard.store import ReleaseStore, load_release
from synth.release import current_release
from tests.dashboard.release_factory import build_release


def counting(calls: list, value):
    """A compute function that records its calls."""

    def compute():
        calls.append(value)
        return value

    return compute


def test_memo_computes_once_per_key_and_name():
    memo, calls = Memo(), []
    assert memo("a", 1, counting(calls, "x")) == "x"
    assert memo("a", 1, counting(calls, "y")) == "x"
    assert memo("b", 1, counting(calls, "z")) == "z"  # names are separate
    assert memo("a", None, counting(calls, None)) is None and memo("a", None, counting(calls, 0)) is None
    assert calls == ["x", "z", None]


def test_memo_is_a_bounded_lru_per_name():
    memo, calls = Memo(), []
    for key in (1, 2, 1, 3):  # 1 is used again, so 2 is the least recent when 3 comes
        memo("n", key, counting(calls, key), size=2)
    memo("other", 0, counting(calls, 0), size=1)
    memo("n", 1, counting(calls, "again"), size=2)
    memo("n", 2, counting(calls, "again"), size=2)
    assert calls == [1, 2, 3, 0, "again"]


def test_memo_under_threads_stays_bounded_and_consistent():
    memo, size, errors = Memo(), 4, []

    def work(seed: int) -> None:
        for i in range(2000):
            key = (seed * 7 + i) % 13
            if memo("square", key, lambda k=key: k * k, size=size) != key * key:
                errors.append(key)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(memo._tables["square"]) == size


def test_derived_values_are_memoised_on_the_release(release):
    gender, age = release.attribute("gender", "Male"), release.attribute("ageBroad", "18--20")
    assert q.record_mask(release, [gender, age]) is q.record_mask(release, [age, gender])
    assert records.source_views(release) is records.source_views(release)
    rows = records.query_rows(release, (("gender", "Female"),), None, [{"colId": "ageBroad", "sort": "asc"}])
    assert rows is records.query_rows(release, (("gender", "Female"),), None, [{"colId": "ageBroad", "sort": "asc"}])
    assert profile_of(release) is profile_of(release)


def test_a_replaced_release_takes_its_memo_with_it(tmp_path):
    """A replaced release stays loaded while it is among the ``keep`` recent ones (page views pinned to it),
    then goes with everything derived from it."""
    store = ReleaseStore(tmp_path, recheck_seconds=0, keep=1)
    build_release(tmp_path)
    first = store.get()
    mask = q.record_mask(first, [first.attribute("gender", "Male")])
    dead = [weakref.ref(first), weakref.ref(mask), weakref.ref(records.source_views(first)["gender"])]
    assert profile_of(first).dataset == "sample"
    first_id = first.release_id
    build_release(tmp_path, dataset="mystery")
    second = store.get()
    assert second is not first and profile_of(second).automatic  # not the first release's profile
    assert store.pinned(first_id) is first  # still kept for the page views rendered with it
    del first, mask
    build_release(tmp_path, dataset="third")
    assert store.get().dataset.name == "third"
    gc.collect()
    assert [ref() for ref in dead] == [None, None, None]


@pytest.mark.filterwarnings("ignore:Flask-Caching. CACHE_TYPE is set to NullCache")
@pytest.mark.parametrize(
    "cache_type,expected", [("SimpleCache", ["a", "b", "a"]), ("NullCache", ["a"] * 3 + ["b", "a"])]
)
def test_cached_view_keys_on_release_id_and_arguments(tmp_path, release, cache_type, expected):
    """View models are cached per (builder, release id, arguments) in the configured backend."""
    server, calls = Flask(__name__), []
    init_cache(server, Settings(data_dir=tmp_path, cache_type=cache_type))

    @cached_view
    def view(release, name: str) -> dict:
        calls.append(name)
        return {"name": name, "release": release.release_id}

    build_release(tmp_path / "other", dataset="mystery")
    other = load_release(current_release(tmp_path / "other"))
    with server.app_context():
        assert [view(release, "a") for _ in range(3)] == [{"name": "a", "release": release.release_id}] * 3
        assert view(release, "b")["name"] == "b"
        assert view(other, "a") == {"name": "a", "release": other.release_id}
    assert calls == expected
