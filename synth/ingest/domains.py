"""Public value domains (``[domains]`` of the spec; step 3 of :mod:`synth.ingest`): a declared column may hold
only its declared values. A value outside the domain is mapped to the domain's ``other`` value when it has one,
else it is an error naming file, row, column and value. Declared values are compared as cells are, trimmed
and with the reserved ``;`` and ``:`` escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.ingest.resolve import escape_one
from synth.spec import Domain


def declared_values(domain: Domain) -> tuple[str, ...]:
    """The declared values as cells hold them (escaped), in declared order."""
    return tuple(escape_one(v) for v in domain.values)


def apply_domain(values: pd.Series, rows: np.ndarray, domain: Domain, column: str, file: str, spec: str) -> pd.Series:
    """``values`` (cleaned cells, "" = absent; ``rows[i]`` is the spreadsheet row of ``values.iloc[i]``) with every
    out-of-domain value replaced by ``domain.other``; without ``other`` the first one is an InputError."""
    outside = ((values != "") & ~values.isin(declared_values(domain))).to_numpy()
    if not outside.any():
        return values
    if domain.other is None:
        first = int(np.flatnonzero(outside)[0])
        where = f"the values file {domain.file}" if domain.file else f"[domains] of {spec}"
        raise InputError(
            f"value {values.iloc[first]!r} is not in the column's declared domain ({where}); correct the cell, "
            "add the value to the domain, or declare an 'other' value that such values map to",
            file=file,
            row=int(rows[first]),
            column=column,
        )
    return values.where(~outside, escape_one(domain.other))
