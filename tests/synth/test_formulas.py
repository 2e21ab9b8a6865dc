"""Formula-injection neutralisation, shared by the release bundle's CSVs and the dashboard's exports."""

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from synth.formulas import neutralise, neutralise_column, neutralise_frame, write_csv


def test_neutralise_formula_cells():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("-2") == "'-2" and neutralise("48+") == "48+"
    assert neutralise(5) == 5
    frame = neutralise_frame(pd.DataFrame({"a": ["+cmd", "ok"], "=b": [1, 2]}))
    assert frame["a"].tolist() == ["'+cmd", "ok"] and list(frame.columns) == ["a", "'=b"]


def test_write_csv_neutralises_cells_and_header(tmp_path):
    write_csv(pd.DataFrame({"@x": ["\tA", "b"], "n": [-1, 2]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "'@x,n\n'\tA,-1\nb,2\n"


def test_neutralise_column_checks_each_distinct_value_once_and_keeps_missing_values():
    column = pd.Series(["=a", "ok", None, "=a", float("nan"), 7, "-1", "ok"], dtype=object)
    out = neutralise_column(column)
    assert out.iloc[[0, 1, 3, 5, 6, 7]].tolist() == ["'=a", "ok", "'=a", 7, "'-1", "ok"]
    assert out.iloc[2] is None and math.isnan(out.iloc[4])
    assert neutralise_column(pd.Series(["a", "b"], dtype=object)).tolist() == ["a", "b"]
    assert neutralise_column(pd.Series([["=x"], "=y"], dtype=object)).tolist() == [["=x"], "'=y"]  # unhashable
    text = neutralise_column(pd.Series(["+a", "b", "+a"], dtype="string"))
    assert text.dtype == "string" and text.tolist() == ["'+a", "b", "'+a"]


cells = st.one_of(
    st.text(alphabet="=+-@\t\rab1 ", max_size=4),
    st.none(),
    st.just(float("nan")),
    st.integers(-2, 2),
    st.floats(allow_nan=False),
    st.booleans(),
)


@given(st.lists(cells, max_size=40))
def test_neutralise_column_equals_neutralising_every_cell(values):
    column = pd.Series(values, dtype=object, index=[f"r{i}" for i in range(len(values))])
    out = neutralise_column(column)
    assert list(out.index) == list(column.index)
    for got, want in zip(out, [neutralise(v) for v in values], strict=True):
        assert (got is want) or (type(got) is type(want) and (got == want or (got != got and want != want)))
