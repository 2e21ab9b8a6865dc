"""Spreadsheet formula-injection neutralisation, for every CSV or spreadsheet a user may open: the CSVs of a
release bundle and of a k-anonymity bundle (:mod:`synth.release`, :mod:`synth.kanon.release`) and the
dashboard's exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

#: A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (no index) as a CSV whose cells and header are neutralised."""
    neutralise_frame(frame).to_csv(path, index=False)
