"""Formula-injection neutralisation, shared by the release bundle's CSVs and the dashboard's exports."""

import pandas as pd

from synth.formulas import neutralise, neutralise_frame, write_csv


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
