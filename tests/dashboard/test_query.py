"""Exact counts of the query engine on the hand-made release (tests/dashboard/release_factory.py)."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from dashboard import query as q
from dashboard.store import ReleaseStore, encode_arrow_column, load_release
from tests.dashboard.reads import recorded_reads
from tests.dashboard.release_factory import build_release


def test_dimensions_group_multi_value_columns(release):
    dim = release.dimensions["perpGender"]
    assert dim.multi_value and dim.values == ("Female", "Male")
    assert release.dimensions["gender"].values == ("Female", "Male")
    assert list(release.dimensions) == ["yearRegister", "gender", "ageBroad", "CountryOfExploitation", "perpGender"]


def test_encode_arrow_column_maps_null_and_unknown_to_absent():
    import pyarrow as pa

    codes = encode_arrow_column(pa.chunked_array([["b", None, "a", "zzz", "b"]]), ("a", "b"))
    assert codes.tolist() == [1, -1, 0, -1, 1]


def test_bars_without_selection_are_published_one_way_counts(release):
    out = q.bars(release, "gender", ())
    assert out["value"].tolist() == ["Female", "Male"]
    assert out["estimated"].tolist() == [5, 3]
    assert out["published"].tolist() == [50, 40]
    assert out["status"].tolist() == [q.PUBLISHED, q.PUBLISHED]
    assert out["low"].tolist() == pytest.approx([50 - 3.92, 40 - 3.92])
    assert out["high"].tolist() == pytest.approx([53.92, 43.92])


def test_suppressed_combination_is_not_reported_never_zero(release):
    out = q.bars(release, "gender", (("ageBroad", "09--17"),)).set_index("value")
    assert out.loc["Female", "status"] == q.NOT_REPORTED
    assert np.isnan(out.loc["Female", "published"]) and np.isnan(out.loc["Female", "shown"])
    assert out.loc["Female", "estimated"] == 1
    assert out.loc["Male", "published"] == 12 and out.loc["Male", "low"] == pytest.approx(12 - 1.96 * 3)


def test_multi_value_bars_use_expanded_columns(release):
    out = q.bars(release, "perpGender", (("gender", "Female"),)).set_index("value")
    assert out["estimated"].to_dict() == {"Female": 3, "Male": 2}
    assert out["published"].to_dict() == {"Female": 21, "Male": 14}


def test_combinations_longer_than_r_are_estimated(release):
    out = q.bars(release, "perpGender", (("gender", "Male"), ("ageBroad", "18--20")))
    assert out["status"].tolist() == [q.ESTIMATED, q.ESTIMATED]
    assert out["shown"].tolist() == [0, 2]
    assert out["published"].isna().all()


def test_own_selection_is_marked_and_ignored_for_own_bars(release):
    out = q.bars(release, "gender", (("gender", "Male"), ("yearRegister", "2020")))
    assert out["selected"].tolist() == [False, True]
    assert out["published"].tolist() == [19, 15]
    assert out["estimated"].tolist() == [2, 1]


def test_normalise_drops_unknown_and_duplicate_sources(release):
    sel = q.parse_selection_strings(
        release, ["ageBroad:18--20", "gender:Male", "gender:Female", "nope:1", "gender:Other", "junk"]
    )
    assert sel == (("gender", "Male"), ("ageBroad", "18--20"))


def test_cell_and_total(release):
    assert q.cell(release, ())["published"] == 90
    c = q.cell(release, (("ageBroad", "18--20"), ("CountryOfExploitation", "USA")))
    assert (c["published"], c["estimated"], c["status"]) == (31, 3, q.PUBLISHED)


def test_crosstab_counts_and_suppression(release):
    out = q.crosstab(release, ["gender", "perpGender"], (), with_estimates=True)
    assert out[["gender", "perpGender"]].values.tolist() == [
        ["Female", "Female"],
        ["Female", "Male"],
        ["Male", "Female"],
        ["Male", "Male"],
    ]
    assert out["estimated"].tolist() == [3, 2, 0, 2]
    assert out["status"].tolist()[2] == q.NOT_REPORTED
    kept = q.crosstab(release, ["gender", "perpGender"], (), include_not_reported=False)
    assert kept["published"].tolist() == [21, 14, 28]


def test_crosstab_with_filter(release):
    out = q.crosstab(release, ["yearRegister"], (("gender", "Female"),), with_estimates=True)
    assert out["published"].tolist() == [30, 19]
    assert out["estimated"].tolist() == [3, 2]


def test_store_follows_current_release(tmp_path):
    store = ReleaseStore(tmp_path, recheck_seconds=0)
    assert store.get() is None
    build_release(tmp_path)
    first = store.get()
    assert first is store.get()
    build_release(tmp_path, aggregates={"gender:Female": 7})
    second = store.get()
    assert second.release_id != first.release_id
    assert q.bars(second, "gender", ())["status"].tolist() == [q.PUBLISHED, q.NOT_REPORTED]
    assert len(store.history()) == 2


def test_store_history_is_read_once_per_current_release(tmp_path, monkeypatch):
    import dashboard.store as store_module

    reads = []
    real = store_module.list_releases
    monkeypatch.setattr(store_module, "list_releases", lambda data_dir: reads.append(1) or real(data_dir))
    store = ReleaseStore(tmp_path, recheck_seconds=0)
    assert store.history() == [] and len(reads) == 1  # nothing published: read each time
    build_release(tmp_path, dataset="first")
    first = store.history()
    assert [h.dataset for h in first] == ["first"] and store.history() is first and len(reads) == 2
    build_release(tmp_path, dataset="second")
    assert [h.dataset for h in store.history()] == ["first", "second"] and len(reads) == 3


def test_load_release_reads_only_release_files(tmp_path, monkeypatch):
    """Everything load_release opens or lists lies inside the release folder, never the private workspace.

    The private folder beside the data dir is made unreadable (which stops reads unless the tests run as
    root); the recorder sees every read either way.
    """
    folder = build_release(tmp_path / "data").resolve()
    private = tmp_path / "private"
    private.mkdir()
    (private / "input.csv").write_text("id,gender\n1,Female\n", encoding="utf-8")
    load_release(folder)  # once before recording, for lazy imports
    private.chmod(0)
    try:
        with recorded_reads(monkeypatch) as paths:
            rel = load_release(folder)
    finally:
        private.chmod(0o700)
    assert rel.n_synthetic == 8 and rel.reporting_length == 2 and rel.protected_records == 90
    assert {"metadata.json", "aggregates.parquet", "synthetic.parquet"} <= {p.name for p in paths}
    assert [p for p in paths if not p.is_relative_to(folder)] == []


def test_read_recorder_sees_reads_outside(tmp_path, monkeypatch):
    """The recorder behind the test above: Python opens, folder listings and Parquet reads are all seen."""
    folder = build_release(tmp_path / "data")
    (tmp_path / "private").mkdir()
    secret = tmp_path / "private" / "input.csv"
    secret.write_text("x\n", encoding="utf-8")
    with recorded_reads(monkeypatch) as paths:
        secret.read_text(encoding="utf-8")
        list((tmp_path / "private").iterdir())
        pq.read_table(folder / "synthetic.parquet")
    assert paths == [secret.resolve(), secret.parent.resolve(), (folder / "synthetic.parquet").resolve()]


def test_crosstab_leaves_out_estimates_within_r_unless_asked(release):
    assert "estimated" not in q.crosstab(release, ["gender"], ()).columns
    beyond = q.crosstab(release, ["gender", "ageBroad"], (("yearRegister", "2019"),))
    assert beyond["status"].unique().tolist() == [q.ESTIMATED]
    assert beyond["estimated"].tolist() == [1, 2, 0, 2]


def test_aggregate_table_published_counts_only(release):
    out = q.aggregate_table(release, ["gender"], (("ageBroad", "18--20"),), include_not_reported=True)
    assert list(out.columns) == ["gender", "ageBroad", "count", "sd", "low", "high", "status", "length"]
    assert out["count"].tolist() == [33, 25] and out["ageBroad"].tolist() == ["18--20", "18--20"]


@pytest.mark.parametrize(
    "columns,selections,message",
    [
        (["gender", "ageBroad"], (("yearRegister", "2019"),), "3 attributes exceed the reporting length 2"),
        ([], (), "choose at least one column or filter"),
    ],
)
def test_aggregate_table_refuses_what_is_not_published(release, columns, selections, message):
    with pytest.raises(q.QueryError, match=message):
        q.aggregate_table(release, columns, selections, include_not_reported=True)


def test_aggregate_rows_are_the_table_rows_built_once_per_release_and_query(release, monkeypatch):
    built = []
    real = q.aggregate_table
    monkeypatch.setattr(q, "aggregate_table", lambda *a: built.append(a[1:]) or real(*a))
    first = q.aggregate_rows(release, ["gender"], (("ageBroad", "18--20"),), True)
    assert first == q.table_rows(real(release, ["gender"], (("ageBroad", "18--20"),), True))
    assert [(r["gender"], r["count"], r["status"]) for r in first] == [
        ("Female", 33, q.PUBLISHED),
        ("Male", 25, q.PUBLISHED),
    ]
    assert q.aggregate_rows(release, ["gender"], (("ageBroad", "18--20"),), True) is first and len(built) == 1
    q.aggregate_rows(release, ["gender"], (("ageBroad", "18--20"),), False)
    q.aggregate_rows(release, ["gender", "ageBroad"], (), True)
    assert len(built) == 3
    with pytest.raises(q.QueryError, match="choose at least one column"):
        q.aggregate_rows(release, [], (), True)


def test_member_bars(release):
    out = q.member_bars(release, [("gender", "Male", "Men"), ("perpGender", "Female", "Female perpetrator")], ())
    assert out["value"].tolist() == ["Men", "Female perpetrator"]
    assert out["published"].tolist() == [40, 30]


def test_corrupt_new_release_keeps_serving_the_previous_one(tmp_path):
    from dashboard.store import ReleaseError

    store = ReleaseStore(tmp_path, recheck_seconds=0)
    build_release(tmp_path)
    first = store.get()
    folder = build_release(tmp_path, aggregates={"gender:Female": 7})
    (folder / "aggregates.parquet").write_bytes(b"tampered")
    assert store.get() is first
    with pytest.raises(ReleaseError):
        load_release(folder)
