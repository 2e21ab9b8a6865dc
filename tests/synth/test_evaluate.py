"""Evaluation metrics on tiny hand-computed aggregates, the summary sentences and the two reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from synth import evaluate
from synth.aggregates import Aggregates, aggregate
from synth.combos import pack
from synth.encode import Column, Schema, encode_frame

K = 10
SCHEMA = Schema((Column("A", "A", ("a1", "a2")), Column("B", "B", ("b1", "b2")), Column("C", "C", ("c1",))))


def make(counts: dict[str, int], n_records: int, reporting_length: int = 2) -> Aggregates:
    """Aggregates from ``{"a1;b2": count}`` (attribute ids: a1 0, a2 1, b1 2, b2 3, c1 4)."""
    ids = {"a1": 0, "a2": 1, "b1": 2, "b2": 3, "c1": 4}
    keys, values = {}, {}
    for length in range(1, reporting_length + 1):
        items = sorted(
            (pack(np.array([sorted(ids[v] for v in combo.split(";"))]), SCHEMA.n_attrs)[0], c)
            for combo, c in counts.items()
            if len(combo.split(";")) == length
        )
        keys[length] = np.array([k for k, _ in items], dtype=np.int64)
        values[length] = np.array([c for _, c in items], dtype=np.int64)
    return Aggregates(SCHEMA, reporting_length, keys, values, n_records)


# S: |S| = 8, n = 50
S = make({"a1": 30, "a2": 5, "b1": 20, "b2": 15, "a1;b1": 18, "a1;b2": 12, "a2;b1": 2, "a2;b2": 3}, 50)
# T: a2 and a2;b1 suppressed; c1, a1;c1, b2;c1 fabricated; n = 55
T = make({"a1": 28, "b1": 20, "b2": 16, "c1": 10, "a1;b1": 20, "a1;b2": 10, "a2;b2": 4, "a1;c1": 5, "b2;c1": 3}, 55)


@pytest.fixture(scope="module")
def stats() -> dict:
    return evaluate.compare(S, T, K)


def test_suppressed_and_fabricated(stats):
    assert stats["suppressed_by_length"] == [1, 1]
    assert stats["fabricated_by_length"] == [1, 2]
    assert stats["suppressed_pct"] == pytest.approx(25.0)  # 2 of |S| = 8
    assert stats["fabricated_pct"] == pytest.approx(37.5)  # 3 / |S| (not |T|)


def test_mean_absolute_error_and_original_mean(stats):
    # length 1: |30-28|, |20-20|, |15-16|; length 2: |18-20|, |12-10|, |3-4|
    assert stats["mean_abs_error_by_length"] == pytest.approx([1.0, 5 / 3])
    assert stats["mean_abs_error"] == pytest.approx(8 / 6)
    assert stats["original_mean_count_by_length"] == pytest.approx([17.5, 8.75])
    assert stats["original_mean_count"] == pytest.approx(105 / 8)


def test_record_expansion(stats):
    assert stats["record_expansion_pct"] == pytest.approx(10.0)


def test_preservation_by_count(stats):
    rows = stats["preservation_by_count"]
    assert [r["bin"] for r in rows] == [10, 20, 40]  # up to the first bin >= max t = 28
    ten, twenty, forty = rows
    # bin 10: c1 (s 0, t 10), a1;b2 (12, 10), a2;b2 (3, 4: rare but in T), a1;c1 (0, 5), b2;c1 (0, 3)
    assert ten["size"] == 5
    assert ten["preservation"] == pytest.approx((0 + 10 / 12 + 1 + 0 + 0) / 5)
    assert ten["mean_length"] == pytest.approx(1.8)
    assert ten["mean_count"] == pytest.approx(6.4)
    assert ten["mean_proportional_error"] == pytest.approx((1 + 2 / 12 + 1 / 3 + 1 + 1) / 5)
    # bin 20: b1 (20, 20), b2 (15, 16), a1;b1 (18, 20)
    assert twenty["size"] == 3 and twenty["preservation"] == pytest.approx(1.0)
    assert twenty["mean_count"] == pytest.approx(56 / 3)
    assert twenty["mean_proportional_error"] == pytest.approx((0 + 1 / 15 + 2 / 18) / 3)
    # bin 40: a1 (30, 28)
    assert forty["size"] == 1 and forty["preservation"] == pytest.approx(28 / 30)
    assert stats["mean_proportional_error"] == pytest.approx((0.7 + (1 / 15 + 2 / 18) / 3 + 2 / 30) / 3)


def test_preservation_by_length(stats):
    one, two = stats["preservation_by_length"]
    # a1, b1, b2 (s >= k) and fabricated c1; a2 (rare, suppressed) is left out
    assert one["length"] == 1 and one["size"] == 4
    assert one["preservation"] == pytest.approx((28 / 30 + 1 + 1 + 0) / 4)
    assert one["mean_count"] == pytest.approx(18.5)
    assert one["mean_proportional_error"] == pytest.approx((2 / 30 + 0 + 1 / 15 + 1) / 4)
    assert two["size"] == 5 and two["mean_length"] == pytest.approx(2.0)
    assert two["preservation"] == pytest.approx((1 + 10 / 12 + 1 + 0 + 0) / 5)
    assert two["mean_proportional_error"] == pytest.approx((2 / 18 + 2 / 12 + 1 / 3 + 1 + 1) / 5)


def test_leakage(stats):
    # a2;b2: s = 3 < k and t = 4 < k; a2;b1 is rare but not in T; fabricated rare ones are not leaks
    assert stats["leakage_by_length"] == [0, 1]
    assert stats["leakage_pct_by_length"] == pytest.approx([0.0, 25.0])


def test_target_properties(stats):
    target = stats["target"]
    assert target["distinct_by_length"] == [4, 5]
    assert target["rare_by_length"] == [0, 3]
    assert target["rare_pct_by_length"] == pytest.approx([0.0, 60.0])
    assert target["mean_count_by_length"] == pytest.approx([18.5, 8.4])
    assert target["rare_pct"] == pytest.approx(100 * 3 / 9)
    assert target["unique_pct"] == 0.0


def test_identical_aggregates_are_perfect():
    stats = evaluate.compare(S, S, K)
    assert stats["suppressed_pct"] == stats["fabricated_pct"] == stats["mean_abs_error"] == 0.0
    assert stats["record_expansion_pct"] == 0.0
    assert stats["mean_proportional_error"] == 0.0
    assert all(r["preservation"] == 1.0 for r in stats["preservation_by_count"] if r["size"])


def test_empty_target():
    empty = make({}, 0)
    stats = evaluate.compare(S, empty, K)
    assert stats["suppressed_pct"] == 100.0 and stats["fabricated_pct"] == 0.0
    assert stats["mean_abs_error"] == 0.0 and stats["record_expansion_pct"] == -100.0
    assert [r["bin"] for r in stats["preservation_by_count"]] == [10]
    # every frequent source combination suppressed: bin 10 holds them all with PE 1
    assert stats["preservation_by_count"][0]["size"] == 5
    assert stats["mean_proportional_error"] == pytest.approx(1.0)


def test_count_bins():
    assert evaluate.count_bins(0).tolist() == [10]
    assert evaluate.count_bins(10).tolist() == [10]
    assert evaluate.count_bins(11).tolist() == [10, 20]
    assert evaluate.count_bins(160).tolist() == [10, 20, 40, 80, 160]


def test_synthetic_aggregates_counts_records():
    records = encode_frame(pd.DataFrame({"A": ["x", "x", "y"], "B": ["u", "", "u"]}))
    agg = evaluate.synthetic_aggregates(records, 2)
    assert agg.n_records == 3
    assert agg.count([records.schema.attr_id("A", "x")]) == 2
    assert agg.count([records.schema.attr_id("A", "x"), records.schema.attr_id("B", "u")]) == 1


def test_summary_k_anonymity_wording(stats):
    risk = {"summary": "For all combinations of up to 2 attributes, 12.00% of records are potentially linkable"}
    items = evaluate.summary("row_seeded", 2, stats, stats, stats, risk)
    assert [i["name"] for i in items] == [
        "Sensitive data privacy",
        "Aggregate data utility",
        "Synthetic data privacy",
        "Synthetic data utility",
    ]
    assert items[0]["text"] == risk["summary"] + "."
    assert "25.00% are rare and therefore not reported" in items[1]["text"]
    assert "average error of 1.33" in items[1]["text"]
    assert "any length, none describe groups" in items[2]["text"]
    assert "75.00% of the reported combinations" in items[3]["text"]
    aggregate_seeded = evaluate.summary("aggregate_seeded", 2, stats, stats, stats)
    assert "up to 2 attributes, none describe groups" in aggregate_seeded[1]["text"]


def test_summary_dp_wording(stats):
    items = evaluate.summary("dp", 2, stats, stats, stats)
    assert len(items) == 3  # no risk statistics: sentence 1 left out
    assert "25.00% were not reported in the aggregate dataset after preserving privacy" in items[0]["text"]
    # leakage 1 over 8 distinct source combinations
    assert "12.50% describe groups of data subjects smaller" in items[1]["text"]
    with pytest.raises(ValueError):
        evaluate.summary("bogus", 2, stats, stats, stats)


def test_public_report_is_json_and_uses_dp_outputs_only():
    report = evaluate.public_report(T, S, [2.0, 3.0], resolution=K)
    json.dumps(report)  # plain types only
    dp = report["aggregates"]
    assert dp["distinct_by_length"] == [4, 5]
    assert dp["noise_sd_by_length"] == [2.0, 3.0]
    # lower 95% bound below 10: L1 only c1 (10 - 3.92); L2 a1;b2 (10 - 5.88) and the three counts < 10
    assert dp["small_count_share_by_length"] == pytest.approx([25.0, 80.0])
    assert dp["small_count_share"] == pytest.approx(100 * 5 / 9)
    versus = report["synthetic_vs_aggregates"]
    assert "leakage_by_length" not in versus
    assert versus["suppressed_pct"] == pytest.approx(100 * 3 / 9)  # c1, a1;c1, b2;c1 missing from S
    assert versus["record_expansion_pct"] == pytest.approx((50 / 55 - 1) * 100)
    assert len(report["summary"]) == 4
    assert "66.67% of the published combinations are retained" in report["summary"][2]["text"]


def test_private_report_blocks_and_summary():
    dp = make({"a1": 29, "b1": 21, "b2": 14, "a1;b1": 17, "a1;b2": 13}, 49)
    risk = {"summary": "For all combinations of up to 2 attributes, 50.00% of records are potentially linkable"}
    report = evaluate.private_report(S, dp, T, K, risk)
    json.dumps(report)
    assert report["sensitive_vs_aggregates"]["suppressed_pct"] == pytest.approx(100 * 3 / 8)
    assert report["sensitive_vs_aggregates"]["mean_abs_error_by_length"] == pytest.approx([1.0, 1.0])
    assert report["sensitive_vs_synthetic"]["leakage_by_length"] == [0, 1]
    assert len(report["summary"]) == 4 and report["summary"][0]["text"].startswith("For all combinations")


def test_kanon_report_uses_k_anonymity_aggregates():
    data = encode_frame(pd.DataFrame({"A": ["x"] * 12 + ["y"] * 3, "B": ["u"] * 10 + ["v"] * 5}))
    sensitive = aggregate(data, 2)
    report = evaluate.kanon_report(sensitive, sensitive, 10, "row_seeded")
    # k-anonymity aggregates keep x (12 -> 10), u (10) and x;u (10): y, v, x;v, y;v suppressed
    assert report["sensitive_vs_aggregates"]["suppressed_pct"] == pytest.approx(100 * 4 / 7)
    assert report["sensitive_vs_aggregates"]["mean_abs_error"] == pytest.approx(2 / 3)
