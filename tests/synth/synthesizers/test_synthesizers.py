"""Synthesizers derived from DP aggregates: the aggregate-seeded reference method and the raked-marginals default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import Aggregates, aggregate
from synth.combos import lookup
from synth.encode import Column, Encoded, Schema, encode_frame
from synth.synthesizers import DEFAULT_SYNTHESIZER, SYNTHESIZERS
from synth.synthesizers.aggregate_seeded import aggregate_seeded, percentile_from_top, top_needed
from synth.synthesizers.gum import gum
from synth.synthesizers.raked_marginals import denoised_one_counts, integer_table, multi_value_siblings, raked_marginals
from synth.synthesizers.raked_marginals import one_counts as dp_one_counts
from synth.synthesizers.support import TripleSupport


def small_table(n: int = 400, seed: int = 0) -> Encoded:
    """Four dependent columns with some absent cells."""
    rng = np.random.default_rng(seed)
    a = rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.3, 0.2])
    b = np.where(rng.random(n) < 0.8, np.char.replace(a, "a", "b"), rng.choice(["b1", "b2", "b3"], n))
    c = np.where(rng.random(n) < 0.3, "", rng.choice(["c1", "c2"], n))
    d = np.where(a == "a1", "d1", rng.choice(["d1", "d2", "d3", ""], n))
    return encode_frame(pd.DataFrame({"A": a, "B": b, "C": c, "D": d}))


def suppressed(agg: Aggregates, drop_every: int = 5) -> Aggregates:
    """Every ``drop_every``-th 2-combination removed with the 3-combinations containing it (parent-closed, as
    DP post-processing leaves them)."""
    keys, counts = dict(agg.keys), dict(agg.counts)
    keep = np.arange(keys[2].size) % drop_every != 0
    keys[2], counts[2] = keys[2][keep], counts[2][keep]
    if agg.reporting_length >= 3:
        triples = agg.combos(3)
        ok = np.ones(triples.shape[0], bool)
        for pair in ([0, 1], [0, 2], [1, 2]):
            ok &= lookup(keys[2], triples[:, pair[0]] * agg.base + triples[:, pair[1]]) >= 0
        keys[3], counts[3] = keys[3][ok], counts[3][ok]
    return Aggregates(agg.schema, agg.reporting_length, keys, counts, agg.n_records)


def one_counts(data: Encoded) -> np.ndarray:
    attrs = data.attributes()
    return np.bincount(attrs[attrs >= 0], minlength=data.schema.n_attrs)


def agg_one_counts(agg: Aggregates) -> np.ndarray:
    out = np.zeros(agg.base, np.int64)
    out[agg.keys[1]] = agg.counts[1]
    return out


def test_registry_exposes_every_method_and_gum_is_the_default():
    assert DEFAULT_SYNTHESIZER == "gum" and SYNTHESIZERS["gum"] is gum
    assert SYNTHESIZERS["aggregate_seeded"] is aggregate_seeded
    assert SYNTHESIZERS["raked_marginals"] is raked_marginals


@pytest.mark.parametrize("q", [0.95, 0.5, 0.05, 0.99])
def test_percentile_from_top_matches_numpy_type_8(q):
    rng = np.random.default_rng(1)
    for m in range(1, 40):
        values = rng.integers(1, 100, size=(3, m)).astype(float)
        k = top_needed(40, q)
        top = np.full((3, max(k, m)), -1.0)
        top[:, :m] = -np.sort(-values, axis=1)
        expected = np.percentile(values, q * 100, axis=1, method="median_unbiased")
        np.testing.assert_allclose(percentile_from_top(top[:, :k] if k >= m else top, m, q), expected)


@pytest.mark.parametrize("use_synthetic_counts", [False, True])
def test_aggregate_seeded_never_creates_an_unreported_combination(use_synthetic_counts):
    agg = suppressed(aggregate(small_table(), 3))
    out = aggregate_seeded(agg, np.random.default_rng(3), use_synthetic_counts=use_synthetic_counts)
    produced = aggregate(out, 3)
    for length in (1, 2, 3):
        assert (lookup(agg.keys[length], produced.keys[length]) >= 0).all(), length
    # With R = 2, records longer than R are checked through all their sub-combinations.
    agg2 = suppressed(aggregate(small_table(), 2), drop_every=3)
    produced2 = aggregate(aggregate_seeded(agg2, np.random.default_rng(4)), 2)
    for length in (1, 2):
        assert (lookup(agg2.keys[length], produced2.keys[length]) >= 0).all(), length


def test_aggregate_seeded_spends_exactly_the_one_counts():
    agg = aggregate(small_table(200), 3)
    out = aggregate_seeded(agg, np.random.default_rng(0))
    np.testing.assert_array_equal(one_counts(out), agg_one_counts(agg))
    assert (out.lengths() > 0).all()
    # The reference makes more, shorter records than the input (1-counts / mean record length); building
    # records in lockstep batches must not change that much compared with one record at a time.
    sequential = aggregate_seeded(agg, np.random.default_rng(0), batch_size=1)
    np.testing.assert_array_equal(one_counts(sequential), agg_one_counts(agg))
    assert agg.n_records <= sequential.n_records <= 1.5 * agg.n_records
    assert abs(out.n_records - sequential.n_records) <= 0.1 * sequential.n_records


def test_aggregate_seeded_scale_factor_and_target():
    agg = aggregate(small_table(), 3)
    scaled = aggregate_seeded(agg, np.random.default_rng(0), aggregate_counts_scale_factor=1.5)
    np.testing.assert_array_equal(one_counts(scaled), np.ceil(agg_one_counts(agg) * 1.5).astype(int))
    for target in (1, 137, 1000):
        out = aggregate_seeded(agg, np.random.default_rng(0), target_number_of_records=target)
        assert out.n_records == target
        assert (out.lengths() > 0).all()


def test_use_synthetic_counts_never_exceeds_a_reported_count_when_sequential():
    agg = suppressed(aggregate(small_table(120), 2))
    out = aggregate_seeded(agg, np.random.default_rng(5), use_synthetic_counts=True, batch_size=1)
    produced = aggregate(out, 2)
    for length in (1, 2):
        assert (produced.counts[length] <= agg.counts_for(length, produced.keys[length])).all()
    plain = aggregate(aggregate_seeded(agg, np.random.default_rng(5), batch_size=1), 2)
    over = plain.counts[2] > agg.counts_for(2, plain.keys[2])
    assert over.any()  # without synthetic counts, common pairs are over-produced


@pytest.mark.parametrize("method", sorted(SYNTHESIZERS))
def test_same_seed_same_output(method):
    agg = suppressed(aggregate(small_table(), 3))
    first = SYNTHESIZERS[method](agg, np.random.default_rng(11), noise_sd=[2.0, 2.0, 2.0])
    second = SYNTHESIZERS[method](agg, np.random.default_rng(11), noise_sd=[2.0, 2.0, 2.0])
    np.testing.assert_array_equal(first.codes, second.codes)
    assert first.schema == agg.schema


def dependent_table(n: int = 3000, seed: int = 7) -> Encoded:
    """Five columns: a latent class drives A, B, C; D copies A 70% of the time; E is absent 25% of the time."""
    rng = np.random.default_rng(seed)
    z = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    a = np.array(["x", "y", "z"])[np.where(rng.random(n) < 0.8, z, rng.integers(0, 3, n))]
    b = np.array(["p", "q", "r", "s"])[(z + rng.integers(0, 2, n)) % 4]
    c = np.array(["lo", "hi"])[(rng.random(n) < np.array([0.2, 0.6, 0.9])[z]).astype(int)]
    d = np.where(rng.random(n) < 0.7, a, rng.choice(["x", "y", "z"], n))
    e = np.where(rng.random(n) < 0.25, "", np.array(["e1", "e2", "e3"])[rng.integers(0, 3, n)])
    return encode_frame(pd.DataFrame({"A": a, "B": b, "C": c, "D": d, "E": e}))


def pair_shares(data: Encoded, i: int, j: int) -> np.ndarray:
    width = len(data.schema.columns[j].values) + 1
    cells = (data.codes[:, i] + 1) * width + data.codes[:, j] + 1
    size = (len(data.schema.columns[i].values) + 1) * width
    return np.bincount(cells, minlength=size) / data.n_records


def test_raked_marginals_reproduces_one_and_two_way_shares_of_exact_aggregates():
    data = dependent_table()
    agg = aggregate(data, 3)
    out = raked_marginals(agg, np.random.default_rng(0))
    assert out.n_records == data.n_records  # exactly n' records
    assert abs((out.codes < 0).mean() - (data.codes < 0).mean()) < 0.01
    # 1-way shares within 0.01 (balanced selection), 2-way shares (absent included) within 0.02.
    np.testing.assert_allclose(one_counts(out) / out.n_records, agg_one_counts(agg) / agg.n_records, atol=0.01)
    for i in range(5):
        for j in range(i + 1, 5):
            np.testing.assert_allclose(pair_shares(out, i, j), pair_shares(data, i, j), atol=0.02)


def test_raked_marginals_only_uses_reported_values_and_follows_noisy_record_count():
    data = dependent_table(1000)
    agg = aggregate(data, 3)
    keep = agg.keys[1] != agg.schema.attr_id("B", "s")
    agg.keys[1], agg.counts[1] = agg.keys[1][keep], agg.counts[1][keep]
    agg.n_records = 1043  # a protected (noisy) record count
    out = raked_marginals(agg, np.random.default_rng(2), noise_sd=[5.0, 5.0, 5.0])
    assert out.n_records == 1043
    assert one_counts(out)[agg.schema.attr_id("B", "s")] == 0


def category_codes(data: Encoded) -> np.ndarray:
    """Codes with absent as the last category of each column (the synthesizer's internal form)."""
    sizes = np.array([len(c.values) for c in data.schema.columns])
    return np.where(data.codes < 0, sizes[None, :], data.codes).astype(np.int64)


def test_raked_marginals_matches_exact_one_way_counts_exactly():
    data = dependent_table(1500)
    out = raked_marginals(aggregate(data, 3), np.random.default_rng(1))
    # Exact aggregates and n' = n: the 1-way tables are the true counts, absent included, and the final
    # cell edits make the synthetic counts equal them (not just close).
    for j, col in enumerate(data.schema.columns):
        size = len(col.values) + 1
        np.testing.assert_array_equal(
            np.bincount(category_codes(out)[:, j], minlength=size),
            np.bincount(category_codes(data)[:, j], minlength=size),
        )


def test_integer_table_rounds_to_the_total_by_largest_remainders():
    np.testing.assert_array_equal(integer_table(np.array([1.0, 1.0, 1.0]), 10), [4, 3, 3])
    np.testing.assert_array_equal(integer_table(np.array([0.2, 0.5, 0.3]), 7), [1, 4, 2])
    np.testing.assert_array_equal(integer_table(np.array([0.0, 0.0]), 3), [2, 1])


def complete_table(n: int = 600, seed: int = 3) -> Encoded:
    """Three dependent columns, never absent."""
    rng = np.random.default_rng(seed)
    a = rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.3, 0.2])
    b = np.where(rng.random(n) < 0.6, np.char.replace(a, "a", "b"), rng.choice(["b1", "b2", "b3"], n))
    c = rng.choice(["c1", "c2"], n)
    return encode_frame(pd.DataFrame({"A": a, "B": b, "C": c}))


def noisy(agg: Aggregates, sd: list[float], rng: np.random.Generator) -> Aggregates:
    """``agg`` with Gaussian noise of SD ``sd[l-1]`` on every l-count (no suppression)."""
    counts = {l: agg.counts[l] + rng.normal(0, sd[l - 1], agg.counts[l].size) for l in agg.lengths()}
    return Aggregates(agg.schema, agg.reporting_length, dict(agg.keys), counts, agg.n_records)


def test_denoised_one_counts_keep_exact_counts_and_cut_the_noise():
    exact = aggregate(complete_table(), 2)
    truth = dp_one_counts(exact)
    sd = [10.0, 10.0]
    np.testing.assert_allclose(denoised_one_counts(exact, sd), truth)  # consistent inputs: nothing to fix
    np.testing.assert_array_equal(denoised_one_counts(exact, None), truth)
    rng = np.random.default_rng(0)
    raw_err, den_err = [], []
    for _ in range(200):
        agg = noisy(exact, sd, rng)
        raw_err.append(dp_one_counts(agg) - truth)
        den_err.append(denoised_one_counts(agg, sd) - truth)
    raw_mse, den_mse = np.mean(np.square(raw_err)), np.mean(np.square(den_err))
    # A 1-count of A has two more measurements (sums over B: 3 cells, over C: 2 cells), so its variance
    # drops to about 1 / (1 + 1/3 + 1/2) = 0.55 of the raw one; over all attributes about 0.55-0.6.
    assert raw_mse == pytest.approx(100, rel=0.15)
    assert den_mse < 0.7 * raw_mse
    assert abs(np.mean(den_err)) < 1.0  # no bias


def test_denoised_one_counts_ignore_often_absent_columns_and_suppressed_pairs():
    data = complete_table()
    frame = data.to_frame()
    frame["C"] = np.where(np.arange(data.n_records) % 2 == 0, "", frame["C"])  # C absent half of the time
    agg = noisy(aggregate(encode_frame(frame[["A", "C"]]), 2), [10.0, 10.0], np.random.default_rng(5))
    denoised, raw = denoised_one_counts(agg, [10.0, 10.0]), dp_one_counts(agg)
    a_attrs = agg.schema.attr_column == 0
    np.testing.assert_allclose(denoised[a_attrs], raw[a_attrs])  # C is absent too often to measure A's counts
    assert (np.abs(denoised - raw)[~a_attrs] > 0.01).all()  # A is always present: C's counts are denoised
    two = noisy(aggregate(encode_frame(frame[["A", "B"]]), 2), [10.0, 10.0], np.random.default_rng(6))
    a1 = two.schema.attr_id("A", "a1")
    keys = two.keys[2]
    drop = (keys // two.base == a1) & (keys % two.base == two.schema.attr_id("B", "b3"))
    two.keys[2], two.counts[2] = keys[~drop], two.counts[2][~drop]
    denoised = denoised_one_counts(two, [10.0, 10.0])
    assert denoised[a1] == dp_one_counts(two)[a1]  # a1's pairs with B are incomplete: a1 keeps its 1-count
    assert (denoised != dp_one_counts(two)).sum() >= 3  # the B values (complete pairs with A) are denoised


def test_triple_support_counts_unpublished_triples_of_records():
    data = encode_frame(
        pd.DataFrame(
            {"A": ["a", "a", "a", "b"], "B": ["x", "y", "x", "x"], "C": ["p", "p", "", "q"], "D": ["u", "u", "u", "v"]}
        )
    )
    agg = aggregate(data.__class__(data.schema, data.codes[[0, 3]]), 3)  # publishes the triples of rows 0, 3
    support = TripleSupport(agg)
    # row 0: all 4 triples published; row 1 (a,y,p,u): the 3 holding y are not, (a,p,u) is;
    # row 2 (a,x,-,u): 1 triple (a,x,u), published; row 3: published.
    np.testing.assert_array_equal(support.absent_counts(category_codes(data)), [0, 3, 0, 0])


def test_triple_support_absent_with_matches_recounting_after_an_edit():
    data = small_table(60, seed=4)
    support = TripleSupport(suppressed(aggregate(small_table(), 3), drop_every=3))
    codes = category_codes(data)
    before = support.absent_counts(codes)
    for column in range(codes.shape[1]):
        with_value = support.absent_with(codes, column)
        current = with_value[np.arange(codes.shape[0]), codes[:, column]]
        for value in range(len(data.schema.columns[column].values) + 1):
            edited = codes.copy()
            edited[:, column] = value
            np.testing.assert_array_equal(support.absent_counts(edited) - before, with_value[:, value] - current)


def test_support_keeps_unpublished_triples_rare():
    data = dependent_table(1000)
    agg = aggregate(data, 3)
    keep = agg.counts[3] >= 10  # suppress rare triples, as a DP threshold does
    agg.keys[3], agg.counts[3] = agg.keys[3][keep], agg.counts[3][keep]
    absent = {}
    for flag in (False, True):
        out = raked_marginals(agg, np.random.default_rng(8), noise_sd=[3.0, 3.0, 3.0], min_support3=flag)
        absent[flag] = TripleSupport(agg).absent_counts(category_codes(out)).sum()
    assert absent[False] > 100
    assert absent[True] <= 0.02 * absent[False]


def test_multi_value_siblings_groups_expanded_columns_by_source():
    columns = (
        Column("X", "X", ("1", "2")),
        Column("M_a", "M", ("1",), True, ";"),
        Column("M_b", "M", ("1",), True, ";"),
        Column("N_a", "N", ("1",), True, ";"),
    )
    assert multi_value_siblings(Schema(columns)) == {1: [2], 2: [1], 3: []}
