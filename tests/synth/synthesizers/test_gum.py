"""The GUM synthesizer: planted 3-way structure, agreement with published intervals, diversity, monotone in epsilon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import Aggregates, aggregate
from synth.dp import DpParams, dp_aggregates
from synth.encode import Encoded, encode_frame
from synth.ingest import read_private
from synth.public import public_schema, restrict_aggregates
from synth.sample import write_sample
from synth.spec import load_spec
from synth.synthesizers import SYNTHESIZERS

SAMPLE_SPEC = Path(__file__).resolve().parents[3] / "synth" / "data" / "sample_spec.toml"


def in_interval(published: Aggregates, data: Encoded, noise_sd: list[float]) -> list[float]:
    """Per length, the share of published combinations whose count in ``data`` is within +-1.96 SD."""
    counts = aggregate(data, published.reporting_length)
    out = []
    for length in published.lengths():
        got = counts.counts_for(length, published.keys[length]) if length in counts.keys else 0
        inside = np.abs(got - published.counts[length]) <= 1.96 * noise_sd[length - 1]
        out.append(float(inside.mean()) if inside.size else 1.0)
    return out


def diversity(data: Encoded) -> tuple[float, int]:
    """(distinct-row share, largest number of copies of one row)."""
    _, copies = np.unique(data.codes, axis=0, return_counts=True)
    return copies.size / data.n_records, int(copies.max())


def xor_table(n: int = 2000, seed: int = 0) -> Encoded:
    """c = a XOR b: every pair of a, b, c is independent, only the 3-way table shows the structure."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "A": np.array(["a0", "a1"])[a],
            "B": np.array(["b0", "b1"])[b],
            "C": np.array(["c0", "c1"])[a ^ b],
            "D": rng.choice(["d0", "d1", "d2"], n),
        }
    )
    return encode_frame(frame)


def test_gum_recovers_a_planted_three_way_interaction():
    data = xor_table()
    agg = aggregate(data, 3)
    out = SYNTHESIZERS["gum"](agg, np.random.default_rng(1), noise_sd=[1.0, 1.0, 1.0])
    a, b, c = out.codes[:, 0], out.codes[:, 1], out.codes[:, 2]
    assert out.n_records == data.n_records
    assert ((a ^ b) == c).mean() > 0.95  # a tree of 2-way tables alone gives about 0.5
    tree_only = SYNTHESIZERS["gum"](agg, np.random.default_rng(1), noise_sd=[1.0, 1.0, 1.0], rounds=0)
    assert ((tree_only.codes[:, 0] ^ tree_only.codes[:, 1]) == tree_only.codes[:, 2]).mean() < 0.6


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Encoded, int]:
    path = write_sample(tmp_path_factory.mktemp("sample") / "sample.csv", n_victims=3000, seed=0)
    ingested = read_private(path, load_spec(SAMPLE_SPEC), rng=np.random.default_rng(0))
    return ingested.data, ingested.max_attributes


def test_gum_on_the_sample_agrees_with_the_published_intervals_and_stays_diverse(sample):
    data, w_max = sample
    dp = dp_aggregates(data, DpParams(epsilon=4.0, reporting_length=3), np.random.default_rng(5), max_attributes=w_max)
    noise_sd = list(dp.report["noise_sd"])
    schema, remap = public_schema(dp.aggregates)
    published = restrict_aggregates(dp.aggregates, schema, remap)
    out = SYNTHESIZERS["gum"](published, np.random.default_rng(6), noise_sd=noise_sd)
    ours, theirs = in_interval(published, out, noise_sd), in_interval(dp.aggregates, data, noise_sd)
    for length in range(3):
        assert ours[length] >= theirs[length] - 0.03, (ours, theirs)
    distinct, copies = diversity(out)
    distinct_in, copies_in = diversity(data)
    assert distinct >= 0.9 * distinct_in
    assert copies <= 2 * copies_in
    assert abs(out.n_records - published.n_records) <= 0.01 * published.n_records


def mae2(exact: Aggregates, data: Encoded) -> float:
    counts = aggregate(data, 2)
    return float(np.abs(counts.counts_for(2, exact.keys[2]) - exact.counts[2]).mean() / exact.n_records)


def test_gum_improves_monotonically_with_epsilon():
    rng = np.random.default_rng(2)
    n = 3000
    a = rng.choice(["a1", "a2", "a3", "a4"], n, p=[0.4, 0.3, 0.2, 0.1])
    b = np.where(rng.random(n) < 0.7, np.char.replace(a, "a", "b"), rng.choice(["b1", "b2", "b3", "b4"], n))
    c = np.where(rng.random(n) < 0.6, np.char.replace(b, "b", "c"), rng.choice(["c1", "c2", "c3", "c4"], n))
    data = encode_frame(pd.DataFrame({"A": a, "B": b, "C": c, "D": rng.choice(["d1", "d2"], n)}))
    exact = aggregate(data, 3)
    errors = []
    for epsilon in (1.0, 4.0, 12.0):
        runs = []
        for seed in range(3):
            seeded = np.random.default_rng(100 + seed)
            dp = dp_aggregates(data, DpParams(epsilon=epsilon, reporting_length=3), seeded, max_attributes=4)
            out = SYNTHESIZERS["gum"](dp.aggregates, seeded, noise_sd=list(dp.report["noise_sd"]))
            runs.append(mae2(exact, out))
        errors.append(np.mean(runs))
    assert errors[0] >= errors[1] >= errors[2], errors
