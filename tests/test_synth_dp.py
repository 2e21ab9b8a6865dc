"""Synthesizers derived from DP aggregates: the aggregate-seeded reference method and the raked-marginals default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import Aggregates, aggregate
from synth.combos import lookup
from synth.encode import Encoded, encode_frame
from synth.synthesizers import DEFAULT_SYNTHESIZER, SYNTHESIZERS
from synth.synthesizers.aggregate_seeded import aggregate_seeded, percentile_from_top, top_needed
from synth.synthesizers.raked_marginals import raked_marginals


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


def test_registry_exposes_both_methods_with_the_default_first():
    assert DEFAULT_SYNTHESIZER == "raked_marginals"
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
    agg = aggregate(small_table(), 3)
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
    agg = suppressed(aggregate(small_table(200), 2))
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
