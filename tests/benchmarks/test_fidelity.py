"""The benchmark's fidelity metrics (they decide what ships) on small hand-made tables, values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from benchmarks.fidelity import diversity, fidelity, in_interval_shares, two_way_tvd
from synth.aggregates import Aggregates
from synth.combos import pack
from synth.encode import Column, Schema, encode_frame


def table(rows: list[tuple[str, ...]], columns: str) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


# S: the input, n = 4, no empty cell.
S = encode_frame(
    table(
        [("a1", "b1", "c1"), ("a1", "b1", "c1"), ("a1", "b2", "c2"), ("a2", "b1", "c1")],
        "ABC",
    )
)
# Y: the synthetic table, 5 rows, columns in another order; one empty cell (C of row 4) and one value the input
# never has (c3), which becomes a cell of its own.
Y = encode_frame(
    table(
        [("c1", "a1", "b1"), ("c1", "a1", "b2"), ("c2", "a2", "b2"), ("", "a2", "b2"), ("c3", "a1", "b1")],
        "CAB",
    )
)


@pytest.fixture(scope="module")
def metrics() -> dict[str, float]:
    return fidelity(S, Y)


def test_rows_and_empty_cells(metrics):
    assert metrics["rows"] == 5
    assert metrics["empty"] == pytest.approx(1 / 15)  # 1 empty cell of 5 x 3


def test_mae_per_length_over_the_input_combinations(metrics):
    # 1-way, S vs Y: a1 3/3, a2 1/2, b1 3/2, b2 1/3, c1 3/2, c2 1/1 -> |diff| 0+1+1+2+1+0 = 5 over 6 combinations.
    assert metrics["mae1"] == pytest.approx(5 / 6 / 4)
    # 2-way: a1b1 2/2, a1b2 1/1, a2b1 1/0, a1c1 2/2, a1c2 1/0, a2c1 1/0, b1c1 3/1, b2c2 1/1 -> 5 over 8.
    assert metrics["mae2"] == pytest.approx(5 / 8 / 4)
    # 3-way: a1b1c1 2/1, a1b2c2 1/0, a2b1c1 1/0 -> 3 over 3 (Y's own combinations do not enter).
    assert metrics["mae3"] == pytest.approx(1 / 4)


def test_tvd_counts_an_empty_cell_and_an_unseen_value_as_cells_of_their_own(metrics):
    # (A,B): S a1b1 .5 a1b2 .25 a2b1 .25 | Y a1b1 .4 a1b2 .2 a2b2 .4 -> (.1+.05+.25+.4)/2 = .4
    # (A,C): S a1c1 .5 a1c2 .25 a2c1 .25 | Y a1c1 .4 a2c2 .2 a2- .2 a1c3 .2 -> (.1+.25+.25+.2+.2+.2)/2 = .6
    # (B,C): S b1c1 .75 b2c2 .25 | Y b1c1 .2 b2c1 .2 b2c2 .2 b2- .2 b1c3 .2 -> (.55+.05+.2+.2+.2)/2 = .6
    assert metrics["tvd"] == pytest.approx((0.4 + 0.6 + 0.6) / 3)


def test_tvd_ne_drops_rows_with_an_empty_cell_in_the_pair(metrics):
    # (A,B) unchanged .4; (A,C) and (B,C) over Y's 4 rows with C filled:
    # (A,C): Y a1c1 .5 a2c2 .25 a1c3 .25 -> (0+.25+.25+.25+.25)/2 = .5
    # (B,C): Y b1c1 .25 b2c1 .25 b2c2 .25 b1c3 .25 -> (.5+0+.25+.25)/2 = .5
    assert metrics["tvd_ne"] == pytest.approx((0.4 + 0.5 + 0.5) / 3)


def test_tvd_ne_drops_the_inputs_rows_with_an_empty_cell_too():
    s = encode_frame(table([("a1", "b1"), ("a1", ""), ("a2", "b1"), ("a2", "b2")], "AB"))
    y = encode_frame(table([("a1", "b1"), ("a2", "b2")], "AB"))
    # With the empty cell: S a1b1 a1- a2b1 a2b2 at .25 each, Y a1b1 .5 a2b2 .5 -> (.25+.25+.25+.25)/2 = .5
    assert two_way_tvd(s, y) == pytest.approx(0.5)
    # Non-empty: S a1b1 a2b1 a2b2 at 1/3 each -> (1/6 + 1/3 + 1/6)/2 = 1/3
    assert two_way_tvd(s, y, non_empty=True) == pytest.approx(1 / 3)


def test_fab3_is_the_share_of_distinct_synthetic_3_combinations_the_input_lacks(metrics):
    # Y's 3-combinations: a1b1c1 (in S), a1b2c1, a2b2c2, a1b1c3 (c3 never in S); row 4 has only 2 attributes.
    assert metrics["fab3"] == pytest.approx(3 / 4)


def test_identical_tables_score_perfectly():
    out = fidelity(S, S)
    assert out["rows"] == 4
    for key in ("empty", "mae1", "mae2", "mae3", "tvd", "tvd_ne", "fab3"):
        assert out[key] == 0.0, key


# Published aggregates on the schema A (a1, a2), B (b1, b2): attribute ids a1 0, a2 1, b1 2, b2 3.
PUBLIC = Schema((Column("A", "A", ("a1", "a2")), Column("B", "B", ("b1", "b2"))))
IDS = {"a1": 0, "a2": 1, "b1": 2, "b2": 3}


def published(counts: dict[str, int], reporting_length: int = 2) -> Aggregates:
    keys, values = {}, {}
    for length in range(1, reporting_length + 1):
        items = sorted(
            (int(pack(np.array([sorted(IDS[v] for v in combo.split(";"))]), PUBLIC.n_attrs)[0]), c)
            for combo, c in counts.items()
            if len(combo.split(";")) == length
        )
        keys[length] = np.array([k for k, _ in items], dtype=np.int64)
        values[length] = np.array([c for _, c in items], dtype=np.int64)
    return Aggregates(PUBLIC, reporting_length, keys, values, 200)


#: sd 25 and 50: the 95 % half-widths 1.96 sd are exactly 49 and 98.
NOISE_SD = [25.0, 50.0]
# Synthetic counts: a1 51, a2 59, b1 51, b2 64, a1b1 51, a2b2 59; a3 (not published) is an empty cell there,
# and column C is not published at all.
SYNTHETIC = encode_frame(table([("a1", "b1", "c1")] * 51 + [("a2", "b2", "c1")] * 59 + [("a3", "b2", "c2")] * 5, "ABC"))
PUBLISHED = published(
    {
        "a1": 100,  # |51 - 100| = 49: on the lower bound, inside
        "a2": 10,  # |59 - 10| = 49: on the upper bound, inside
        "b1": 101,  # |51 - 101| = 50: outside
        "b2": 14,  # |64 - 14| = 50: outside
        "a1;b1": 149,  # |51 - 149| = 98: on the bound, inside (the 2-way sd, not the 1-way one)
        "a1;b2": 98,  # absent from the synthetic table: |0 - 98| = 98, inside
        "a2;b1": 99,  # absent: |0 - 99| = 99, outside
        "a2;b2": 59,  # exact, inside
    }
)


def test_in_interval_shares_per_length_with_bounds_included_and_absent_as_zero():
    assert in_interval_shares(PUBLISHED, NOISE_SD, SYNTHETIC, 2) == [[pytest.approx(2 / 4), pytest.approx(3 / 4)]]


def test_in_interval_shares_stop_at_the_reporting_length_asked():
    assert in_interval_shares(PUBLISHED, NOISE_SD, SYNTHETIC, 1) == [[pytest.approx(2 / 4)]]


def test_in_interval_share_is_nan_for_a_length_without_published_combinations():
    [shares] = in_interval_shares(published({"a1": 51, "b2": 200}), NOISE_SD, SYNTHETIC, 2)
    assert shares[0] == pytest.approx(1 / 2)  # a1 exact; b2 |64 - 200| = 136 outside
    assert math.isnan(shares[1])


def test_in_interval_shares_of_large_cells_only_count_published_combinations_from_min_count():
    every, large = in_interval_shares(published({"a1": 51, "b2": 200}), NOISE_SD, SYNTHETIC, 2, (0, 100))
    assert every[0] == pytest.approx(1 / 2)  # the same count serves both thresholds
    assert large[0] == 0.0  # only b2 (200) is large, and it is outside
    assert math.isnan(large[1])


def test_diversity_counts_an_empty_cell_as_a_value():
    data = encode_frame(table([("a1", "b1")] * 3 + [("a1", "")] * 2 + [("a2", "b2"), ("", "")], "AB"))
    assert diversity(data) == (pytest.approx(4 / 7), 3)


def test_diversity_of_distinct_rows_and_of_an_empty_table():
    assert diversity(S) == (pytest.approx(3 / 4), 2)
    assert diversity(encode_frame(table([], "AB"))) == (0.0, 0)
