"""Privacy-risk statistics on small hand-computed examples."""

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import aggregate
from synth.encode import Column, encode_frame
from synth.risk import NO_COMBINATION, record_min_counts, risk_report, summary_sentence

# Eight records, k = 3, R = 2 (hand-computed below).
#   1-counts: a1 5, a2 2, a3 1, b1 5, b2 2          -> rare: a2 a3 b2; unique: a3
#   2-counts: a1b1 3, a1b2 2, a2b1 1, a3b1 1        -> rare: a1b2 a2b1 a3b1; unique: a2b1 a3b1
AB = pd.DataFrame(
    {"A": ["a1", "a1", "a1", "a2", "a1", "a2", "a1", "a3"], "B": ["b1", "b1", "b2", "b1", "b1", "", "b2", "b1"]}
)


@pytest.fixture(scope="module")
def report():
    return risk_report(encode_frame(AB), reporting_length=2, resolution=3)


def test_combination_statistics(report):
    by_length = report["combinations"]["by_length"]
    assert [(d["length"], d["distinct"], d["rare"], d["unique"], d["count_sum"]) for d in by_length] == [
        (1, 5, 3, 1, 15),
        (2, 4, 3, 2, 7),
    ]
    assert by_length[0]["rare_pct"] == pytest.approx(60.0) and by_length[1]["unique_pct"] == pytest.approx(50.0)
    total = report["combinations"]["total"]
    assert (total["distinct"], total["rare"], total["unique"]) == (9, 6, 3)
    assert total["rare_pct"] == pytest.approx(600 / 9) and total["mean_count"] == pytest.approx(22 / 9)


def test_record_statistics(report):
    # Unique: record 8 (a3, length 1) and record 4 (a2b1, length 2). Rare: also records 3, 6, 7.
    assert report["records"] == {"with_unique": 2, "with_unique_pct": 25.0, "with_rare": 5, "with_rare_pct": 62.5}
    assert report["n_records"] == 8 and (report["resolution"], report["reporting_length"]) == (3, 2)


def test_records_by_length(report):
    # Each record under its shortest length; rare excludes records unique at any length (record 4 is rare at
    # length 1 via a2 but unique at length 2, so it counts as unique at length 2 only).
    assert [(d["length"], d["unique"], d["rare"], d["risky"]) for d in report["records_by_length"]] == [
        (1, 1, 3, 4),
        (2, 1, 0, 1),
    ]
    assert report["records_by_length"][0]["risky_pct"] == 50.0
    total = report["records_by_length_total"]
    assert (total["unique"], total["rare"], total["risky"], total["risky_pct"]) == (2, 3, 5, 62.5)


def test_most_linkable(report):
    # Records made linkable: a1 -> {3, 7} of 5; a2 -> {4, 6} of 2; a3 -> {8} of 1; b1 -> {4, 8} of 5; b2 -> {3, 7}.
    attrs = [
        (d["column"], d["value"], d["linkable_records"], d["records"], d["pct"])
        for d in report["most_linkable_attributes"]
    ]
    assert attrs == [
        ("A", "a2", 2, 2, 100.0),
        ("A", "a3", 1, 1, 100.0),
        ("B", "b2", 2, 2, 100.0),
        ("A", "a1", 2, 5, 40.0),
        ("B", "b1", 2, 5, 40.0),
    ]
    assert report["most_linkable_columns"] == [
        {"column": "A", "pct": 80.0, "linkable_attributes": 3},
        {"column": "B", "pct": 70.0, "linkable_attributes": 2},
    ]


def test_summary_sentence_and_json(report):
    assert report["summary"] == (
        "For all combinations of up to 2 attributes, 62.50% of records are potentially "
        "linkable (25.00% uniquely identifiable, 37.50% linkable to small groups below "
        "resolution 3)"
    )
    assert json.loads(json.dumps(report)) == report


def test_min_counts_per_record():
    data = encode_frame(AB)
    mins, linked = record_min_counts(data, aggregate(data, 2), 3)
    assert mins[0].tolist() == [5, 5, 2, 2, 5, 2, 2, 1]
    assert mins[1].tolist() == [3, 3, 2, 1, 3, NO_COMBINATION, 2, 1]
    assert linked.tolist() == [
        [False, False],
        [False, False],
        [True, True],
        [True, True],
        [False, False],
        [True, False],
        [True, True],
        [True, True],
    ]


def test_multi_value_columns_report_their_source():
    # M is a multi-value column expanded into M_x, M_y. k = 3, R = 2:
    # rare: M_y (2), a1&M_y (2), M_x&M_y (1, record 2) -> linkable a1 {2, 3} of 4, M_x {2} of 3, M_y {2, 3} of 2.
    frame = pd.DataFrame({"A": ["a1"] * 4, "M_x": ["1", "1", "", "1"], "M_y": ["", "1", "1", ""]})
    columns = [Column("A", "A", ("a1",)), Column("M_x", "M", ("1",), True, ";"), Column("M_y", "M", ("1",), True, ";")]
    report = risk_report(encode_frame(frame, columns), reporting_length=2, resolution=3)
    attrs = [(d["column"], d["value"], d["linkable_records"], d["records"]) for d in report["most_linkable_attributes"]]
    assert attrs == [("M", "y", 2, 2), ("A", "a1", 2, 4), ("M", "x", 1, 3)]
    assert [(d["column"], d["linkable_attributes"]) for d in report["most_linkable_columns"]] == [("M", 2), ("A", 1)]
    assert report["most_linkable_columns"][0]["pct"] == pytest.approx((100 + 100 / 3) / 2)
    assert report["records"]["with_unique"] == 1 and report["records"]["with_rare"] == 2


def test_no_rare_combinations_and_all_lengths():
    data = encode_frame(pd.DataFrame({"A": ["x"] * 4, "B": ["y"] * 4}))
    report = risk_report(data, reporting_length=0, resolution=2)
    assert report["reporting_length"] == 2
    assert report["records"]["with_rare"] == 0 and report["most_linkable_attributes"] == []
    assert report["summary"].startswith("For all combinations of up to 2 attributes, 0.00% of records")
    assert summary_sentence(3, 10, 12.345, 2.0).endswith(
        "(2.00% uniquely identifiable, 10.35% linkable to small groups below resolution 10)"
    )


def test_rejects_bad_resolution():
    with pytest.raises(ValueError):
        risk_report(encode_frame(AB), 2, resolution=0)


def test_matches_brute_force_on_random_data():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({c: rng.choice(["", "p", "q", "r"], size=60, p=[0.2, 0.5, 0.2, 0.1]) for c in "ABCD"})
    data = encode_frame(frame)
    report = risk_report(data, reporting_length=3, resolution=4)
    # Brute force with Python sets: each record's combinations as frozensets of (column, value).
    records = [frozenset((c, v) for c, v in row.items() if v) for row in frame.to_dict("records")]
    counts: dict[frozenset, int] = {}
    for rec in records:
        for l in range(1, 4):
            for combo in combinations(sorted(rec), l):
                counts[frozenset(combo)] = counts.get(frozenset(combo), 0) + 1
    rare_records = {
        i
        for i, rec in enumerate(records)
        for l in range(1, 4)
        for combo in combinations(sorted(rec), l)
        if counts[frozenset(combo)] < 4
    }
    assert report["records"]["with_rare"] == len(rare_records)
    assert report["combinations"]["total"]["distinct"] == len(counts)
    assert report["combinations"]["total"]["rare"] == sum(c < 4 for c in counts.values())
    linkable: dict[tuple, set] = {}
    for i, rec in enumerate(records):
        for l in range(1, 4):
            for combo in combinations(sorted(rec), l):
                if counts[frozenset(combo)] < 4:
                    for attr in combo:
                        linkable.setdefault(attr, set()).add(i)
    expected = {attr: (len(rows), counts[frozenset([attr])]) for attr, rows in linkable.items()}
    assert {
        (d["column"], d["value"]): (d["linkable_records"], d["records"]) for d in report["most_linkable_attributes"]
    } == expected
