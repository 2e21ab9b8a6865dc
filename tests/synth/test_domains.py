"""Public value domains (issue 8): declared columns in DP marginals, the public schema, the synthesizers and
the release metadata. Spec parsing is tested in test_spec.py, the ingest checks in test_ingest.py, the CLI
refresh in test_refresh.py."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from synth.aggregates import Aggregates, aggregate
from synth.combos import pack
from synth.dp import DpParams, dp_aggregates
from synth.dp.marginals import candidates_length_1, postprocess
from synth.encode import Column, Encoded, encode_frame
from synth.public import public_schema, restrict_aggregates
from synth.release_format import ReleaseFormatError, ReleaseMetadata
from synth.synthesizers import SYNTHESIZERS, aggregate_seeded
from tests.dashboard.release_factory import metadata

GENDERS = ("Female", "Male", "Transgender")  # "Transgender" never occurs in the data below
CITIES = ("big", "mid")


#: W_max of small_table: two single-value columns.
W_MAX = 2


def small_table(n: int = 300, seed: int = 0, extra: dict[str, str] | None = None) -> Encoded:
    """``gender`` declared (one declared value absent), ``city`` undeclared with two common values and
    five rare ones (3 records each); ``extra`` adds one subject."""
    rng = np.random.default_rng(seed)
    rare = [f"r{k}" for k in range(5) for _ in range(3)]
    frame = pd.DataFrame(
        {
            "gender": rng.choice(GENDERS[:2], n),
            "city": list(rng.choice(CITIES, n - len(rare))) + rare,
        }
    )
    if extra is not None:
        frame = pd.concat([frame, pd.DataFrame([extra])], ignore_index=True)
    city = tuple(sorted(set(frame["city"])))  # an undeclared column's values come from the data
    return encode_frame(frame, [Column("gender", "gender", GENDERS, declared=True), Column("city", "city", city)])


def published_values(data: Encoded, keys: np.ndarray, column: str) -> set[str]:
    return {v for c, v in (data.schema.attr_label(a) for a in keys.tolist()) if c == column}


def test_declared_values_are_one_candidates_even_when_absent():
    data = small_table()
    labels = {data.schema.attr_label(a) for a in candidates_length_1(data).tolist()}
    assert ("gender", "Transgender") in labels  # absent from the data, declared
    assert {("city", v) for v in CITIES} <= labels


def test_postprocess_keeps_declared_zeros_and_drops_their_longer_combinations():
    # Attributes 0, 1 are a declared column's values, 2, 3 an undeclared column's.
    base = 4
    declared = np.array([True, True, False, False])
    levels = {
        1: (np.array([0, 1, 2, 3]), np.array([-3.2, 0.4, 50.0, 0.3])),
        2: (pack(np.array([[0, 2], [1, 2]]), base), np.array([7.0, 9.0])),
    }
    keys, counts = postprocess(levels, base, declared)
    # Declared: kept, rounded and clamped at 0. Undeclared 0.3 rounds to 0 and is dropped, as in SDS.
    assert keys[1].tolist() == [0, 1, 2] and counts[1].tolist() == [0, 0, 50]
    # A pair with a zero-count parent normalises to 0 and is dropped like every zero.
    assert keys[2].size == 0 and counts[2].size == 0
    # Without the declared mask, post-processing is SDS's (the zeros go).
    keys, counts = postprocess(levels, base)
    assert keys[1].tolist() == [2] and counts[1].tolist() == [50]


def test_small_data_low_epsilon_keeps_declared_values_and_loses_rare_undeclared_ones():
    data = small_table()
    params = DpParams(epsilon=1.0, delta=1e-5, reporting_length=2)  # delta fixed: n' is too noisy here
    for seed in range(5):
        result = dp_aggregates(data, params, np.random.default_rng(seed), max_attributes=W_MAX)
        agg = result.aggregates
        assert published_values(data, agg.keys[1], "gender") == set(GENDERS)
        city = published_values(data, agg.keys[1], "city")
        assert not city & {f"r{k}" for k in range(5)}  # 3 records each: far below the 1-way threshold
        threshold = result.report["thresholds"][0]
        assert threshold > 3
        counts = dict(zip(agg.keys[1].tolist(), agg.counts[1].tolist(), strict=True))
        assert counts[data.schema.attr_id("gender", "Transgender")] >= 0
        # Declared values are published below the threshold too (their counts are DP estimates).
        schema, remap = public_schema(agg)
        public = restrict_aggregates(agg, schema, remap)
        gender = next(c for c in schema.columns if c.name == "gender")
        assert gender.values == GENDERS and gender.declared
        assert public.keys[1].size == agg.keys[1].size
        assert (agg.counts[1] >= 0).all() and (agg.counts[2] > 0).all()  # zeros only among declared 1-counts


def test_published_declared_attributes_do_not_depend_on_the_data():
    """Neighbours D and D' = D + one subject with a declared value absent from D (and a new city): the set of
    published 1-attributes of the declared column is the declared domain in every run on either."""
    d = small_table(n=200, seed=1)
    d_prime = small_table(n=200, seed=1, extra={"gender": "Transgender", "city": "unique"})
    assert d.n_records + 1 == d_prime.n_records
    params = DpParams(epsilon=0.5, delta=1e-5, reporting_length=2)
    seen = set()
    for seed in range(20):
        for data in (d, d_prime):
            agg = dp_aggregates(data, params, np.random.default_rng(seed), max_attributes=W_MAX).aggregates
            seen.add(frozenset(published_values(data, agg.keys[1], "gender")))
    assert seen == {frozenset(GENDERS)}
    # An undeclared column's schema, by contrast, comes from the data (SDS): "unique" is a value of D' only.
    assert "unique" in d_prime.schema.columns[1].values and "unique" not in d.schema.columns[1].values


def test_declared_values_are_published_as_zero_when_the_cap_is_zero(monkeypatch):
    monkeypatch.setattr("synth.dp.marginals.dp_percentile", lambda *args, **kwargs: 0)
    data = small_table()
    result = dp_aggregates(data, DpParams(reporting_length=2), np.random.default_rng(0), max_attributes=W_MAX)
    agg = result.aggregates
    # Nobody contributes under a cap of 0, so every count is exactly 0: only declared values are published.
    assert published_values(data, agg.keys[1], "gender") == set(GENDERS)
    assert published_values(data, agg.keys[1], "city") == set()
    assert agg.counts[1].tolist() == [0, 0, 0] and agg.keys[2].size == 0
    assert result.report["contribution_caps"] == [0, 0] and result.report["published"] == [3, 0]


# ------------------------------------------------------------------------------ synthesizers with zeros


def zero_count_aggregates() -> Aggregates:
    """Exact aggregates of a small table plus declared values with published 1-count 0: "Transgender", and a
    whole declared column ``flag`` whose only value has count 0."""
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame(
        {"gender": rng.choice(GENDERS[:2], n), "city": rng.choice(CITIES, n), "flag": [""] * n, "age": ""}
    )
    frame["age"] = np.where(frame["gender"] == "Female", rng.choice(["a", "b"], n), rng.choice(["b", "c"], n))
    columns = [
        Column("gender", "gender", GENDERS, declared=True),
        Column("city", "city", CITIES),
        Column("flag", "flag", ("1",), declared=True),
        Column("age", "age", ("a", "b", "c")),
    ]
    data = encode_frame(frame, columns)
    agg = aggregate(data, 3)
    zeros = np.array([data.schema.attr_id("gender", "Transgender"), data.schema.attr_id("flag", "1")])
    keys = np.concatenate([agg.keys[1], zeros])
    order = np.argsort(keys)
    agg.keys[1] = keys[order]
    agg.counts[1] = np.concatenate([agg.counts[1], [0, 0]])[order]
    return agg


@pytest.mark.filterwarnings("error")  # no division by zero, no overflow
@pytest.mark.parametrize("method", ["gum", "raked_marginals", "aggregate_seeded"])
def test_synthesizers_never_produce_values_published_with_count_zero(method):
    agg = zero_count_aggregates()
    if method == "aggregate_seeded":
        out = aggregate_seeded(agg, np.random.default_rng(1))
    else:
        out = SYNTHESIZERS[method](agg, np.random.default_rng(1), noise_sd=[5.0, 7.0, 9.0])
    frame = out.to_frame()
    assert out.n_records > 0
    assert not (frame["gender"] == "Transgender").any() and not (frame["flag"] == "1").any()
    assert set(frame["gender"]) <= {"Female", "Male", ""}


# ------------------------------------------------------------------------------------------ metadata


def test_release_metadata_carries_the_declared_flag():
    meta = metadata("sample-20260101T000000Z-abcdef")
    columns = [dataclasses.replace(c, declared=c.name == "gender") for c in meta.schema.columns]
    meta = dataclasses.replace(meta, schema=dataclasses.replace(meta.schema, columns=columns))
    document = json.loads(json.dumps(meta.to_json()))
    assert [c["declared"] for c in document["schema"]["columns"]] == [c.name == "gender" for c in columns]
    back = ReleaseMetadata.from_json(document)
    assert back == meta and next(c for c in back.schema.columns if c.name == "gender").declared
    del document["schema"]["columns"][0]["declared"]
    with pytest.raises(ReleaseFormatError, match=r"metadata.schema.columns\[0\]: missing keys \['declared'\]"):
        ReleaseMetadata.from_json(document)
