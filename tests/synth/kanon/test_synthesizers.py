"""k-anonymity synthesizers: guarantees on small hand-made data, oversampling bound, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import aggregate, protect_k_anonymity
from synth.encode import Encoded, encode_frame
from synth.kanon import synthesizers as kanon

K = 2

# n = 9; 1-counts a1 6, a2 3, b1 6, b2 3, c1 4, c2 3 -> k-anonymous (k=2) 6, 2, 6, 2, 4, 2
ROWS = (
    [("a1", "b1", "c1")] * 3
    + [("a1", "b1", "c2")] * 2
    + [("a1", "b2", "c1")]
    + [("a2", "b2", "")] * 2
    + [("a2", "b1", "c2")]
)
EXPECTED_ONE_COUNTS = {("A", "a1"): 6, ("A", "a2"): 2, ("B", "b1"): 6, ("B", "b2"): 2, ("C", "c1"): 4, ("C", "c2"): 2}


@pytest.fixture
def small() -> Encoded:
    return encode_frame(pd.DataFrame(ROWS, columns=["A", "B", "C"]))


def random_data(n: int, seed: int, n_cols: int = 5) -> Encoded:
    """Correlated categorical data: each column copies a latent class with noise, some cells empty."""
    rng = np.random.default_rng(seed)
    latent = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    cols = {}
    for j in range(n_cols):
        noisy = np.where(rng.random(n) < 0.25, rng.integers(0, 4, n), latent)
        cells = np.array([f"v{v}" for v in noisy], dtype=object)
        cells[rng.random(n) < 0.1] = ""
        cols[f"c{j}"] = cells
    return encode_frame(pd.DataFrame(cols))


def supports(data: Encoded, synthetic: Encoded) -> np.ndarray:
    """Number of records of ``data`` containing each synthetic record's non-empty cells (brute force)."""
    out = []
    for rec in synthetic.codes:
        cols = np.flatnonzero(rec >= 0)
        out.append(int(np.all(data.codes[:, cols] == rec[cols], axis=1).sum()))
    return np.array(out)


def one_counts(data: Encoded) -> dict[tuple[str, str], int]:
    agg = aggregate(data, 1)
    return {data.schema.attr_label(int(a)): int(c) for a, c in zip(agg.keys[1], agg.counts[1], strict=False)}


GUARANTEED = [kanon.row_seeded, kanon.unseeded, kanon.value_seeded]


@pytest.mark.parametrize("synthesize", GUARANTEED)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_synthetic_record_occurs_at_least_k_times(small, synthesize, seed):
    synthetic = synthesize(small, K, np.random.default_rng(seed))
    assert synthetic.schema == small.schema
    assert synthetic.n_records > 0
    # the full record has support >= k, hence so has every combination inside it, of any length
    assert supports(small, synthetic).min() >= K


@pytest.mark.parametrize("synthesize", GUARANTEED)
def test_guarantee_on_larger_random_data(synthesize):
    data = random_data(400, seed=5)
    k = 5
    synthetic = synthesize(data, k, np.random.default_rng(3))
    non_empty = synthetic.lengths() > 0
    assert supports(data, Encoded(synthetic.schema, synthetic.codes[non_empty])).min() >= k
    # and the same holds for every combination up to length 3 in the aggregate view
    sensitive = aggregate(data, 3)
    synth_agg = aggregate(synthetic, 3)
    for length in synth_agg.lengths():
        assert sensitive.counts_for(length, synth_agg.keys[length]).min() >= k


@pytest.mark.parametrize("synthesize", [kanon.row_seeded, kanon.value_seeded])
@pytest.mark.parametrize("seed", [0, 7])
def test_one_counts_equal_k_anonymity_aggregates(small, synthesize, seed):
    synthetic = synthesize(small, K, np.random.default_rng(seed))
    assert one_counts(synthetic) == EXPECTED_ONE_COUNTS


@pytest.mark.parametrize("synthesize", [kanon.row_seeded, kanon.value_seeded])
def test_one_counts_on_random_data(synthesize):
    data = random_data(500, seed=11)
    k = 7
    expected = protect_k_anonymity(aggregate(data, 1), k)
    synthetic = synthesize(data, k, np.random.default_rng(4))
    got = aggregate(synthetic, 1)
    np.testing.assert_array_equal(got.keys[1], expected.keys[1])
    np.testing.assert_array_equal(got.counts[1], expected.counts[1])
    assert (synthetic.lengths() > 0).all()


def test_unseeded_makes_one_record_per_input_record(small):
    assert kanon.unseeded(small, K, np.random.default_rng(0)).n_records == small.n_records


def test_row_seeded_drops_attributes_rarer_than_k():
    # b9 occurs once: no synthetic record may hold it; a1 (3 records) with k=2 keeps 2
    data = encode_frame(pd.DataFrame({"A": ["a1", "a1", "a1", "a2", "a2"], "B": ["b1", "b1", "b9", "b1", "b1"]}))
    counts = one_counts(kanon.row_seeded(data, 2, np.random.default_rng(0)))
    assert counts == {("A", "a1"): 2, ("A", "a2"): 2, ("B", "b1"): 4}


def test_oversampling_control_bounds_every_reportable_count():
    data = random_data(600, seed=2)
    k, ratio, length = 5, 0.1, 3
    reportable = protect_k_anonymity(aggregate(data, length), k)

    def worst_excess(synthetic: Encoded) -> float:
        agg = aggregate(synthetic, length)
        worst = -np.inf
        for l in agg.lengths():
            limit = reportable.counts_for(l, agg.keys[l]) * (1 + ratio)
            worst = max(worst, float((agg.counts[l] - limit).max()))
        return worst

    controlled = kanon.value_seeded(
        data, k, np.random.default_rng(1), reporting_length=length, oversampling_ratio=ratio, oversampling_tries=10
    )
    uncontrolled = kanon.value_seeded(data, k, np.random.default_rng(1), reporting_length=length)
    assert worst_excess(controlled) <= 0  # stated bound: synthetic count <= reportable * (1 + ratio)
    assert worst_excess(uncontrolled) > 0  # the data exercises the control
    assert one_counts(controlled) == one_counts(uncontrolled)  # 1-counts are still the k-anonymous ones


@pytest.mark.parametrize("synthesize", GUARANTEED)
def test_deterministic_under_a_seed(synthesize):
    data = random_data(200, seed=8)
    first = synthesize(data, 3, np.random.default_rng(42))
    second = synthesize(data, 3, np.random.default_rng(42))
    other = synthesize(data, 3, np.random.default_rng(43))
    np.testing.assert_array_equal(first.codes, second.codes)
    assert first.codes.shape != other.codes.shape or not np.array_equal(first.codes, other.codes)


def test_cache_size_does_not_change_the_result():
    data = random_data(200, seed=9)
    big = kanon.value_seeded(data, 3, np.random.default_rng(5))
    tiny = kanon.value_seeded(data, 3, np.random.default_rng(5), cache_max_size=1)
    np.testing.assert_array_equal(big.codes, tiny.codes)


def test_records_are_ordered_most_complete_first(small):
    synthetic = kanon.row_seeded(small, K, np.random.default_rng(0))
    widths = synthetic.lengths()
    assert (np.diff(widths) <= 0).all()


def test_row_sets_supports_match_brute_force():
    data = random_data(130, seed=4)  # not a multiple of 64 bits
    rows = kanon.RowSets(data)
    attrs = data.attributes()
    pairs = np.array([[0, 5], [1, 6], [2, rows.absent(1)], [rows.pad, 3]])
    current = np.stack([rows.rows_of((int(a),)) for a in pairs[:, 0]])
    got = rows.supports(current, pairs[:, 1:])[:, 0]

    def holders(a: int) -> np.ndarray:
        if a == rows.pad:
            return np.zeros(data.n_records, dtype=bool)
        if a >= rows.n_attrs:
            return attrs[:, a - rows.n_attrs] < 0
        return (attrs == a).any(axis=1)

    expected = [int((holders(a) & holders(b)).sum()) for a, b in pairs]
    assert got.tolist() == expected


def test_weighted_choice_follows_the_weights():
    rng = np.random.default_rng(0)
    weights = np.tile(np.array([[1, 3, 0]]), (20_000, 1))
    choice, drawn = kanon.weighted_choice(weights, rng)
    assert drawn.all()
    freq = np.bincount(choice, minlength=3) / choice.size
    assert abs(freq[1] - 0.75) < 0.015 and freq[2] == 0  # 4.5 standard errors
    _, drawn = kanon.weighted_choice(np.zeros((3, 2), dtype=np.int64), rng)
    assert not drawn.any()
    assert kanon.draw(np.array([0, 0]), rng) is None
    assert kanon.draw(np.array([0, 5, 0]), rng) == 1


@pytest.mark.parametrize("seed", [0, 1])
def test_aggregate_seeded_on_k_anonymity_aggregates_creates_no_rare_combination(seed):
    data = random_data(400, seed=6)
    k, length = 5, 3
    synthetic = kanon.kanon_aggregate_seeded(data, k, np.random.default_rng(seed), reporting_length=length)
    assert synthetic.n_records > 0 and synthetic.schema == data.schema
    sensitive = aggregate(data, length)
    synth_agg = aggregate(synthetic, length)
    for l in synth_agg.lengths():  # guaranteed up to the reporting length only
        assert sensitive.counts_for(l, synth_agg.keys[l]).min() >= k
    np.testing.assert_array_equal(
        synthetic.codes,
        kanon.kanon_aggregate_seeded(data, k, np.random.default_rng(seed), reporting_length=length).codes,
    )


def test_resolution_one_reproduces_the_records(small):
    synthetic = kanon.row_seeded(small, 1, np.random.default_rng(0))
    as_rows = lambda enc: sorted(map(tuple, enc.codes.tolist()))  # noqa: E731
    assert as_rows(synthetic) == as_rows(small)


@pytest.mark.parametrize("synthesize", GUARANTEED)
def test_resolution_above_every_count_releases_nothing(small, synthesize):
    synthetic = synthesize(small, small.n_records + 1, np.random.default_rng(0))
    assert (synthetic.codes < 0).all()
    assert synthetic.n_records == (small.n_records if synthesize is kanon.unseeded else 0)


@pytest.mark.parametrize("synthesize", GUARANTEED)
def test_no_records(small, synthesize):
    empty = Encoded(small.schema, small.codes[:0])
    assert synthesize(empty, K, np.random.default_rng(0)).n_records == 0


def test_suppress_removes_exactly_the_excess(small):
    # a1 is held by 6 records and c1 by 4: targets 4 and 1 -> remove 2 a1 and 3 c1, nothing else
    target = kanon.attribute_counts(small.codes, small)
    ids = {label: i for i, label in enumerate(small.schema.attr_labels())}
    target[ids[("A", "a1")]] = 4
    target[ids[("C", "c1")]] = 1
    out = kanon.suppress(small.codes, small, target, np.random.default_rng(0))
    before, after = kanon.attribute_counts(small.codes, small), kanon.attribute_counts(out, small)
    expected = np.zeros(small.schema.n_attrs, dtype=int)
    expected[ids[("A", "a1")]], expected[ids[("C", "c1")]] = 2, 3
    assert (before - after).tolist() == expected.tolist()
    assert ((out == small.codes) | (out < 0)).all()  # only removals


def test_lru_evicts_the_least_recently_used_entry():
    cache = kanon.LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
