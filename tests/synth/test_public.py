"""The public view: only attributes that survived DP are named; synthetic output formats."""

import numpy as np
import pandas as pd

from synth.aggregates import Aggregates, aggregate
from synth.combos import pack
from synth.encode import Column, encode_frame
from synth.public import (
    aggregates_table,
    lift_aggregates,
    public_schema,
    restrict_aggregates,
    restrict_records,
    synthetic_tables,
)


def _frame():
    return pd.DataFrame(
        {
            "g": ["F", "F", "M", "X"],
            "r_a": ["1", "1", "", ""],
            "r_secret": ["", "", "", "1"],
        }
    )


def _columns():
    return [
        Column("g", "g", ("F", "M", "X")),
        Column("r_a", "r", ("1",), True, ";"),
        Column("r_secret", "r", ("1",), True, ";"),
    ]


def _dp_like(agg: Aggregates, drop: set[tuple[str, str]]) -> Aggregates:
    """Copy of ``agg`` without the 1-combinations named in ``drop`` (as DP suppression would do)."""
    keys, counts = dict(agg.keys), dict(agg.counts)
    ids = [agg.schema.attr_id(c, v) for c, v in drop]
    keep = ~np.isin(keys[1], pack(np.array(ids)[:, None], agg.base)) if ids else np.ones(keys[1].size, bool)
    keys[1], counts[1] = keys[1][keep], counts[1][keep]
    return Aggregates(agg.schema, agg.reporting_length, keys, counts, agg.n_records)


def test_suppressed_values_and_expanded_columns_disappear():
    data = encode_frame(_frame(), _columns())
    agg = _dp_like(aggregate(data, 2), {("g", "X"), ("r_secret", "1")})
    schema, remap = public_schema(agg)
    assert [(c.name, c.values) for c in schema.columns] == [("g", ("F", "M")), ("r_a", ("1",))]
    assert remap.tolist() == [0, 1, -1, 2, -1]
    pub = restrict_aggregates(agg, schema, remap)
    frame = pub.to_frame()
    assert "X" not in frame.to_string() and "secret" not in " ".join(frame.columns)
    expected = {"g:F": 2, "g:M": 1, "r_a:1": 2, "g:F;r_a:1": 2}
    assert dict(zip(frame["combination"], frame["count"], strict=True)) == expected


def test_records_are_reencoded_and_formats_match_reference():
    data = encode_frame(_frame(), _columns())
    agg = _dp_like(aggregate(data, 2), {("g", "X")})
    schema, remap = public_schema(agg)
    records = restrict_records(data, schema, remap)
    assert records.to_frame().to_dict("list") == {
        "g": ["F", "F", "M", ""],
        "r_a": ["1", "1", "", ""],
        "r_secret": ["", "", "", "1"],
    }
    tables = synthetic_tables(records)
    assert tables["condensed"].to_dict("list") == {"g": ["F", "F", "M", ""], "r": ["a", "a", "", "secret"]}
    assert tables["long"].values.tolist() == [
        [0, "g", "F", "g:F"],
        [0, "r_a", "1", "r_a:1"],
        [1, "g", "F", "g:F"],
        [1, "r_a", "1", "r_a:1"],
        [2, "g", "M", "g:M"],
        [3, "r_secret", "1", "r_secret:1"],
    ]
    assert tables["wide"]["g"].tolist()[:3] == ["F", "F", "M"] and pd.isna(tables["wide"]["g"].iloc[3])


def test_condensed_joins_several_values_with_the_delimiter():
    frame = pd.DataFrame({"r_a": ["1", ""], "r_b": ["1", "1"]})
    data = encode_frame(frame, [Column("r_a", "r", ("1",), True, "|"), Column("r_b", "r", ("1",), True, "|")])
    assert synthetic_tables(data)["condensed"]["r"].tolist() == ["a|b", "b"]


def test_aggregates_table_carries_noise_sd_by_length():
    data = encode_frame(_frame(), _columns())
    table = aggregates_table(aggregate(data, 2), [10.0, 20.0])
    assert table.columns[:4].tolist() == ["combination", "length", "count", "sd"]
    assert set(table.loc[table["length"] == 1, "sd"]) == {10.0}
    assert set(table.loc[table["length"] == 2, "sd"]) == {20.0}


def test_lift_aggregates_inverts_restrict():
    data = encode_frame(_frame(), _columns())
    agg = _dp_like(aggregate(data, 2), {("g", "X")})
    schema, remap = public_schema(agg)
    lifted = lift_aggregates(restrict_aggregates(agg, schema, remap), agg.schema, remap)
    for length in (1, 2):
        expected = [s for s in agg.combination_strings(length) if "g:X" not in s]
        assert lifted.combination_strings(length) == expected
        assert sorted(lifted.counts[length].tolist()) == sorted(
            c
            for s, c in zip(agg.combination_strings(length), agg.counts[length].tolist(), strict=True)
            if "g:X" not in s
        )
