"""DP marginals (synth.dp.marginals): candidates, contribution capping, noisy aggregation and post-processing."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import aggregate
from synth.combos import pack
from synth.dp.marginals import (
    DpResult,
    add_missing_parents,
    cap_contributions,
    dp_aggregates,
    extend_candidates,
    normalise_counts,
    postprocess,
)
from synth.dp.params import DpParams, budget_split
from synth.encode import Column, Encoded, encode_frame
from synth.ingest import read_private
from synth.spec import load_spec


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def dp(data: Encoded, params: DpParams, rng) -> DpResult:
    """DP marginals of a table of single-value columns: W_max = the number of columns."""
    return dp_aggregates(data, params, rng, max_attributes=len(data.schema.columns))


def full_factorial(n_columns: int, n_values: int, copies: int):
    """Every combination of values, each repeated ``copies`` times: all l-counts are equal and known."""
    rows = list(itertools.product(*[[f"v{j}" for j in range(n_values)]] * n_columns)) * copies
    return encode_frame(pd.DataFrame(rows, columns=[f"c{i}" for i in range(n_columns)]))


# --- candidates, capping, post-processing ---------------------------------------------------------------


def test_extend_candidates_requires_surviving_subsets():
    attr_column = np.array([0, 0, 1, 1, 2])  # A:{0,1}, B:{2,3}, C:{4}
    base = 5
    s1 = np.array([0, 1, 2, 4])  # attribute 3 was suppressed
    v2 = extend_candidates(s1, base, attr_column, 2)
    assert v2.tolist() == pack(np.array([[0, 2], [0, 4], [1, 2], [1, 4], [2, 4]]), base).tolist()
    s2 = np.sort(pack(np.array([[0, 2], [0, 4], [2, 4], [1, 2]]), base))
    v3 = extend_candidates(s2, base, attr_column, 3, block=3)  # tiny blocks exercise the chunking
    assert v3.tolist() == pack(np.array([[0, 2, 4]]), base).tolist()  # (1,2,4) lacks (1,4)


def test_cap_contributions_limits_every_record():
    positions = np.array([[0, 1, -1, 2, 3], [-1, -1, 4, -1, -1], [5, -1, 6, -1, -1], [0, 1, 2, 3, 4]])
    mask = cap_contributions(positions, 2, np.random.default_rng(0))
    assert mask.sum(axis=1).tolist() == [2, 1, 2, 2]
    assert not mask[positions < 0].any()
    assert mask[1].tolist() == (positions[1] >= 0).tolist() and mask[2].tolist() == (positions[2] >= 0).tolist()


def test_cap_contributions_is_uniform():
    positions = np.tile(np.array([[0, -1, 1, 2, -1, 3]]), (20000, 1))
    mask = cap_contributions(positions, 1, np.random.default_rng(1))
    assert (mask.sum(axis=1) == 1).all()
    # each of the 4 valid entries is chosen with probability 1/4: SD of a share 0.003, tolerance 0.015
    assert mask[:, [0, 2, 3, 5]].mean(axis=0) == pytest.approx([0.25] * 4, abs=0.015)


def test_postprocess_rounds_fills_parents_and_normalises():
    base = 4  # attributes 0 = A:a1, 1 = A:a2, 2 = B:b1, 3 = C:c1
    levels = {
        1: (np.arange(4), np.array([50.2, 44.5, 39.6, 30.4])),
        2: (pack(np.array([[0, 2], [0, 3], [1, 2], [2, 3]]), base), np.array([45.4, 35.0, 20.2, 0.3])),
        3: (pack(np.array([[0, 2, 3], [1, 2, 3]]), base), np.array([38.49, 41.2])),
    }
    keys, counts = postprocess(levels, base)
    # 44.5 rounds half away from zero; (2,3) rounds to 0 and comes back as a parent with max(38, 41);
    # (1,3) is filled from its only child; then every count is capped by its smallest present parent.
    assert counts[1].tolist() == [50, 45, 40, 30]
    assert keys[2].tolist() == pack(np.array([[0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]), base).tolist()
    assert counts[2].tolist() == [40, 30, 20, 30, 30]
    assert keys[3].tolist() == levels[3][0].tolist()
    assert counts[3].tolist() == [30, 20]


def test_parent_filling_and_normalisation_use_counts_on_entry():
    base = 4
    keys = {1: np.arange(4), 2: pack(np.array([[0, 2]]), base), 3: pack(np.array([[0, 2, 3], [1, 2, 3]]), base)}
    counts = {1: np.array([9, 9, 9, 9]), 2: np.array([5]), 3: np.array([7, 8])}
    filled_keys, filled = add_missing_parents(keys, counts, base)
    assert dict(zip(filled_keys[2].tolist(), filled[2].tolist(), strict=False)) == {
        0 * 4 + 2: 5,
        0 * 4 + 3: 7,
        1 * 4 + 2: 8,
        1 * 4 + 3: 8,
        2 * 4 + 3: 8,
    }
    normal = normalise_counts(filled_keys, filled, base)
    assert normal[3].tolist() == [5, 8] and normal[2].tolist() == filled[2].tolist()


# --- the whole mechanism -------------------------------------------------------------------------------


def test_large_epsilon_reproduces_exact_counts_of_non_rare_attributes():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {
            "a": rng.choice(["x", "y", "z"], 300),
            "b": rng.choice(["p", "q"], 300),
            "c": np.where(rng.random(300) < 0.3, "", rng.choice(["s", "t", "u", "w"], 300)),
        }
    )
    frame.loc[0, "a"] = "rare"  # a unique value: below ρ_1, so never published
    data = encode_frame(frame)
    params = DpParams(epsilon=1e5, percentile_percentage=100)
    result = dp(data, params, np.random.default_rng(9))
    exact = aggregate(data, 3)
    rare = data.schema.attr_id("a", "rare")
    for length in range(1, 4):
        combos = exact.combos(length)
        keep = ~(combos == rare).any(axis=1)
        assert result.aggregates.keys[length].tolist() == exact.keys[length][keep].tolist()
        assert result.aggregates.counts[length].tolist() == exact.counts[length][keep].tolist()
    assert result.report["contribution_caps"] == [3, 3, 1]
    assert abs(result.aggregates.n_records - 300) < 5


def test_noise_scale_matches_report():
    data = full_factorial(4, 3, 50)  # 4050 records; 1-, 2-, 3-counts all 1350, 450, 150
    standardised = {1: [], 2: [], 3: []}
    rng = np.random.default_rng(21)
    for _ in range(60):
        result = dp(data, DpParams(), rng)
        assert [k.size for k in result.aggregates.keys.values()] == [12, 54, 108]  # nothing lost or fabricated
        assert result.report["contribution_caps"] == [4, 6, 4]
        split = budget_split(DpParams())
        sd = result.report["noise_sd"]
        assert sd == pytest.approx([split.sigmas[0] * 2, split.sigmas[1] * math.sqrt(6), split.sigmas[2] * 2])
        for length, true in ((1, 1350), (2, 450), (3, 150)):
            standardised[length].append((result.aggregates.counts[length] - true) / sd[length - 1])
    # (published - true) / (σ_l·√Δ_l) must be standard normal (rounding adds < 1 % to the variance).
    # 720 / 3240 / 6480 samples: SE of the SD 2.6 % / 1.2 % / 0.9 %; tolerance 10 % / 5 % / 5 %.
    for length, tolerance in ((1, 0.10), (2, 0.05), (3, 0.05)):
        z = np.concatenate(standardised[length])
        assert abs(z.mean()) < 4 / math.sqrt(z.size)
        assert z.std() == pytest.approx(1.0, rel=tolerance)


def _correlated_pairs(n: int = 6000):
    """Two columns of 20 common values, perfectly paired: 20 true 2-combinations, 380 zero candidates."""
    i = np.arange(n) % 20
    return encode_frame(pd.DataFrame({"a": [f"a{k:02d}" for k in i], "b": [f"b{k:02d}" for k in i]}))


@pytest.mark.parametrize(
    "mode, low, high",
    [
        # uncontrolled: a zero candidate survives iff N(0, sd²) > 0, p = 0.5; 5 × 380 trials, SE 1.1 %
        ("uncontrolled", 0.45, 0.55),
        # minimize: η = 0.01 -> threshold at Φ⁻¹(0.995), p = 0.005; expected 9.5 of 1900, bound 25
        ("minimize", 0.0, 25 / 1900),
    ],
)
def test_fabrication_of_zero_candidates(mode, low, high):
    data = _correlated_pairs()
    params = DpParams(reporting_length=2, fabrication_mode=mode)
    fabricated = 0
    rng = np.random.default_rng(4)
    for _ in range(5):
        result = dp(data, params, rng)
        assert result.report["candidates"][1] == 400
        true_pairs = pack(np.array([[k, 20 + k] for k in range(20)]), data.schema.n_attrs)
        assert np.isin(true_pairs, result.aggregates.keys[2]).all()
        fabricated += result.report["survivors"][1] - 20
    assert low <= fabricated / 1900 <= high


def test_no_one_combination_below_threshold_survives():
    rng = np.random.default_rng(8)
    n = 3000
    frame = pd.DataFrame(
        {
            "common": rng.choice(["x", "y"], n),
            "rare": [f"r{k}" if k < 100 else "big" for k in rng.permutation(n) % 1000],
        }
    )
    # "rare" values r0..r99 occur 3 times each, far below ρ_1 ≈ 33 (noise SD ≈ 7)
    data = encode_frame(frame)
    for seed in range(3):
        result = dp(data, DpParams(), np.random.default_rng(seed))
        published = [data.schema.attr_label(a) for a in result.aggregates.keys[1].tolist()]
        assert sorted(published) == [("common", "x"), ("common", "y"), ("rare", "big")]
        assert result.aggregates.counts[1].min() >= math.floor(result.report["thresholds"][0])


def test_binary_search_and_dense_table_give_the_same_result(monkeypatch):
    data = full_factorial(3, 4, 3)
    dense = dp(data, DpParams(), np.random.default_rng(7))
    monkeypatch.setattr("synth.dp.marginals.DENSE_INDEX_MAX", 0)
    searched = dp(data, DpParams(), np.random.default_rng(7))
    assert dense.report == searched.report
    for length in (1, 2, 3):
        assert np.array_equal(dense.aggregates.counts[length], searched.aggregates.counts[length])


def test_determinism_under_seed():
    data = full_factorial(3, 4, 3)
    a = dp(data, DpParams(), np.random.default_rng(7))
    b = dp(data, DpParams(), np.random.default_rng(7))
    c = dp(data, DpParams(), np.random.default_rng(8))
    assert a.report == b.report
    for length in (1, 2, 3):
        assert np.array_equal(a.aggregates.keys[length], b.aggregates.keys[length])
        assert np.array_equal(a.aggregates.counts[length], b.aggregates.counts[length])
    assert a.report != c.report


REPORT_KEYS = {
    "mechanism",
    "epsilon",
    "delta",
    "delta_source",
    "reporting_length",
    "protected_number_of_records",
    "budget_split",
    "sigma",
    "sigma_proportions",
    "contribution_caps",
    "noise_sd",
    "thresholds",
    "threshold_type",
    "threshold_values",
    "accuracy_mode",
    "fabrication_mode",
    "percentile_percentage",
    "percentile_epsilon_proportion",
    "number_of_records_epsilon_proportion",
    "candidates",
    "survivors",
    "published",
}


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def test_report_is_json_and_holds_no_exact_record_count():
    data = full_factorial(3, 3, 47)  # n = 1269
    result = dp(data, DpParams(), np.random.default_rng(3))
    report = json.loads(json.dumps(result.report))
    assert set(report) == REPORT_KEYS  # a new field must be reviewed for privacy before it is added here
    assert result.aggregates.n_records == report["protected_number_of_records"] != data.n_records
    assert data.n_records not in list(_numbers(report))
    assert report["candidates"][0] is None  # |V_1| is not DP


def test_reporting_length_beyond_the_columns_is_kept_and_longer_lengths_are_empty():
    data = full_factorial(2, 2, 200)
    result = dp(data, DpParams(reporting_length=5, epsilon=100), np.random.default_rng(0))
    assert result.aggregates.reporting_length == 5 and result.report["reporting_length"] == 5
    assert len(result.report["sigma"]) == 5 and result.report["contribution_caps"] == [2, 1, 0, 0, 0]
    assert [result.aggregates.keys[l].size for l in range(1, 6)] == [4, 4, 0, 0, 0]


def test_an_empty_multi_value_column_does_not_lower_the_reporting_length(tmp_path):
    """Regression (issue 8, finding 3): a multi-value column without any value expands to no encoded column.
    Neighbours D (column empty) and D + one subject (one value in it) must publish the same R and σ."""
    rows = "".join(f"{i},{'xy'[i % 2]},{'pq'[i % 3 % 2]},\n" for i in range(600))
    spec = load_spec(None, subject_id="id", multi_value={"m": ";"})
    without = read_private(_write(tmp_path / "d.csv", "id,a,b,m\n" + rows), spec)
    with_one = read_private(_write(tmp_path / "d1.csv", "id,a,b,m\n" + rows + "600,x,p,v\n"), spec)
    assert len(without.data.schema.columns) == 2 and len(with_one.data.schema.columns) == 3
    assert without.max_attributes == with_one.max_attributes == 2 + 6  # public: spec and header only
    params = DpParams(reporting_length=3, delta=1e-5)
    reports = [
        dp_aggregates(ing.data, params, np.random.default_rng(1), max_attributes=ing.max_attributes).report
        for ing in (without, with_one)
    ]
    assert reports[0]["reporting_length"] == reports[1]["reporting_length"] == 3
    assert reports[0]["sigma"] == reports[1]["sigma"] and len(reports[0]["sigma"]) == 3
    assert reports[0]["contribution_caps"][2] == 0  # length 3 cannot occur in D: it comes out empty


class _NoiseSizes:
    """A generator that records the size of every Gaussian noise draw (one per length: |V_l|)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.sizes: list[int] = []

    def __getattr__(self, name):
        return getattr(self.rng, name)

    def standard_normal(self, size):
        self.sizes.append(int(size))
        return self.rng.standard_normal(size)


def test_one_way_candidates_exclude_attributes_capped_away():
    """Regression (issue 8, finding 5): V_1 holds only attributes with a capped count above zero. 999 records
    hold only a=x; one holds a=x and the unique b=u. At a huge ε the cap Δ_1 is 1, so that record keeps x or u
    with probability 1/2 each; when it keeps x, u has no capped count and must get no noisy count at all."""
    data = encode_frame(pd.DataFrame({"a": ["x"] * 1000, "b": [""] * 999 + ["u"]}))
    sizes = []
    for seed in range(30):
        recorder = _NoiseSizes(seed)
        params = DpParams(reporting_length=1, epsilon=1e5, percentile_percentage=99.9)
        result = dp_aggregates(data, params, recorder, max_attributes=2)
        assert result.report["contribution_caps"] == [1]
        sizes += recorder.sizes
    # |V_1| is 1 (u capped away) or 2; each with probability 1/2, so both occur in 30 runs but with
    # probability 2·2^-30. SDS (and the code before issue 8) always had |V_1| = 2.
    assert set(sizes) == {1, 2}


def test_schema_values_given_explicitly_are_not_candidates():
    columns = [Column("a", "a", ("x", "y", "z"))]  # "z" is in the schema but not in the data
    data = encode_frame(pd.DataFrame({"a": ["x"] * 500 + ["y"] * 500}), columns)
    result = dp(data, DpParams(reporting_length=1), np.random.default_rng(0))
    assert result.aggregates.keys[1].tolist() == [0, 1]
