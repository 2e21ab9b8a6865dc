"""Joining the rows that share a subject id (step 4 of :mod:`synth.ingest`): single-value columns fill, and a
subject with two different values in one of them is an error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.errors import InputError

#: At most this many row numbers are listed in an error message.
MAX_ROWS_LISTED = 10


def subject_numbers(ids: pd.Series, rows: np.ndarray, column: str, file: str) -> tuple[np.ndarray, np.ndarray]:
    """Subject number of every row (in order of first appearance) and the normalised unique ids."""
    ids = ids.astype("str").str.strip().str.lower()
    missing = np.flatnonzero((ids == "").to_numpy())
    if missing.size:
        raise InputError(
            "the subject id is empty; every row needs one", file=file, row=int(rows[missing[0]]), column=column
        )
    codes, uniques = pd.factorize(ids)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def join_codes(subject: np.ndarray, n_subjects: int, codes: np.ndarray, n_values: int) -> tuple[np.ndarray, np.ndarray]:
    """Per subject, the code of its non-empty value (-1 if none), and the subjects with two different codes."""
    present = codes >= 0
    keys = pd.unique(subject[present] * max(n_values, 1) + codes[present])  # distinct (subject, value) pairs
    subjects, values = np.divmod(keys, max(n_values, 1))
    out = np.full(n_subjects, -1, dtype=np.int64)
    out[subjects] = values
    return out, np.flatnonzero(np.bincount(subjects, minlength=n_subjects) > 1)


def conflict_error(
    subject: int,
    column: str,
    conflicts: list[str],
    codes: np.ndarray,
    uniques: np.ndarray,
    row_subject: np.ndarray,
    ids: np.ndarray,
    rows: np.ndarray,
    id_column: str,
    file: str,
) -> InputError:
    """The error for a subject with two different values in a single-value column."""
    mine = np.flatnonzero(row_subject == subject)
    present = mine[codes[mine] >= 0]
    first = codes[present[0]]
    clash = present[codes[present] != first][0]
    listed = ", ".join(str(r) for r in rows[mine[:MAX_ROWS_LISTED]]) + (", ..." if mine.size > MAX_ROWS_LISTED else "")
    return InputError(
        f"subject id {ids[subject]!r} ({id_column}, rows {listed}) has different values {uniques[first]!r} and "
        f"{uniques[codes[clash]]!r} in a single-value column; declare it multi-value or fix the data. Columns "
        f"with such conflicts: {', '.join(conflicts)}",
        file=file,
        row=int(rows[clash]),
        column=column,
    )
