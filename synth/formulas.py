"""Spreadsheet formula-injection neutralisation, for every CSV or spreadsheet a user may open: the CSVs of a
release bundle and of a k-anonymity bundle (:mod:`synth.release`, :mod:`synth.kanon.release`) and the
dashboard's exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_column(values: pd.Series) -> pd.Series:
    """``values`` with every text cell neutralised, each distinct value looked at once (exported records repeat
    a few labels thousands of times); cells that need no change are the same objects as before."""
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): one at a time
        return values.map(neutralise)
    fixed = np.array([neutralise(u) for u in uniques] + [None], dtype=object)
    changed = np.array([f is not u for f, u in zip(fixed, uniques, strict=False)] + [False])
    replace = changed[codes]  # code -1 (a missing value) picks the last slot: unchanged
    if not replace.any():
        return values
    out = values.to_numpy(dtype=object, copy=True)
    out[replace] = fixed[codes[replace]]
    return pd.Series(out, index=values.index, name=values.name, dtype=values.dtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = neutralise_column(out[col])
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (no index) as a CSV whose cells and header are neutralised."""
    neutralise_frame(frame).to_csv(path, index=False)
