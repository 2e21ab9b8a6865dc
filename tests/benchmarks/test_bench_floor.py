"""The floor benchmark's pure parts: the split into halves and a table row, on small hand-made tables."""

from __future__ import annotations

import pandas as pd

from benchmarks.bench_floor import HEADER, halves, row
from synth.encode import encode_frame


def test_halves_are_disjoint_equal_and_fixed() -> None:
    frame = pd.DataFrame({"id": [str(i) for i in range(11)], "x": ["a"] * 11})
    first, second = halves(frame)
    assert len(first) == len(second) == 5
    ids = set(first["id"]) | set(second["id"])
    assert len(ids) == 10 and set(first["id"]).isdisjoint(second["id"])  # one row left out of 11
    again, _ = halves(frame)
    assert again.equals(first)  # the same halves on every run
    assert list(first.index) == list(range(5))


def test_row_reads_fabricated_combinations_and_copies() -> None:
    reference = encode_frame(pd.DataFrame({"A": ["a1", "a1", "a2"], "B": ["b1", "b1", "b2"], "C": ["c1", "c1", "c2"]}))
    # Two copies of a reference row and one row whose 3-combination the reference lacks: fab3 = 1 / 2.
    other = encode_frame(pd.DataFrame({"A": ["a1", "a1", "a2"], "B": ["b1", "b1", "b1"], "C": ["c1", "c1", "c2"]}))
    cells = [c.strip() for c in row("toy", "other", "-", reference, other).strip("|").split("|")]
    assert len(cells) == len(HEADER)
    named = dict(zip(HEADER, cells, strict=True))
    assert named["fab3"] == "0.500"
    assert named["distinct share"] == "0.67" and named["max copies"] == "2"
    assert named["dataset"] == "toy" and named["ε"] == "-"
