"""The spec resolved against the header, and the cleaning of cell values (steps 2 and 3 of :mod:`synth.ingest`):
column names, sensitive zeros, the escaped reserved characters, multi-value splitting and the category limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synth.errors import InputError
from synth.spec import COMMAND_LINE, BinSpec, DatasetSpec, Domain, column_key

ESCAPES = ((";", "<semicolon>"), (":", "<colon>"))


@dataclass(frozen=True)
class Plan:
    """The spec resolved against the header: every name is a header name."""

    used: tuple[str, ...]
    subject_id: str | None
    multi_value: dict[str, str]
    max_values: dict[str, int]  # m_c of every multi-value column
    sensitive_zeros: frozenset[str]
    bins: dict[str, BinSpec]
    labels: dict[str, str]
    domains: dict[str, Domain]


def resolve(header: list[str], spec: DatasetSpec, file: str) -> Plan:
    """Map every column the spec names to a header name; unknown names are errors."""
    index = {column_key(h): h for h in header}

    def find(key: str, name: str) -> str:
        found = index.get(column_key(name))
        if found is None:
            hint = ""
            if len(header) == 1:
                hint = " The header was read as a single column: is the delimiter right? (dataset.delimiter)"
            where = f" of {file}" if spec.source != COMMAND_LINE else ""
            raise InputError(
                f"{key} names a column that is not in the header{where} (columns: {', '.join(header)}).{hint}",
                file=spec.source if spec.source != COMMAND_LINE else file,
                column=name,
            )
        return found

    subject_id = find("dataset.subject_id", spec.subject_id) if spec.subject_id else None
    if spec.use_columns:
        wanted = {find("dataset.use_columns", c) for c in spec.use_columns}
        used = tuple(h for h in header if h in wanted)
    else:
        used = tuple(h for h in header if h != subject_id)
    if not used:
        raise InputError("no columns left to use (the header has only the subject id?)", file=file, row=1)
    labels = {find("dataset.column_labels", c): label for c, label in spec.column_labels.items()}
    multi_value = {find("multi_value", c): d for c, d in spec.multi_value.items()}
    # Domains of columns that are not used are ignored, as their labels are.
    domains = {find("domains", c): d for c, d in spec.domains.items()}
    return Plan(
        used=used,
        subject_id=subject_id,
        multi_value=multi_value,
        max_values={c: spec.max_values_of(c) for c in multi_value},
        sensitive_zeros=frozenset(find("dataset.sensitive_zeros", c) for c in spec.sensitive_zeros),
        bins={find("bins", c): b for c, b in spec.bins.items()},
        labels={h: labels.get(h, h) for h in used},
        domains={h: d for h, d in domains.items() if h in used},
    )


def _escape(values: pd.Series) -> pd.Series:
    for char, escaped in ESCAPES:
        values = values.str.replace(char, escaped, regex=False)
    return values


def escape_one(value: str) -> str:
    for char, escaped in ESCAPES:
        value = value.replace(char, escaped)
    return value


def clean_values(values: pd.Series, zero_is_value: bool) -> pd.Series:
    """Trim, blank out "0" unless it is a real value, escape the reserved ``;`` and ``:`` (vectorised)."""
    values = values.astype("str").str.strip()
    if not zero_is_value:
        values = values.where(values != "0", "")
    return _escape(values)


def factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the non-empty values (-1 where empty) and the distinct values, in order of appearance."""
    codes, uniques = pd.factorize(values.where(values != "", None))
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def split_multi(values: pd.Series, delimiter: str, zero_is_value: bool) -> tuple[np.ndarray, pd.Series]:
    """(row position, cleaned part) for every non-empty part of a multi-value column."""
    lists = pc.split_pattern(pa.array(values.astype("str")), delimiter)
    positions = pc.list_parent_indices(lists).to_numpy()
    parts = clean_values(pc.list_flatten(lists).to_pandas(), zero_is_value)
    keep = (parts != "").to_numpy()
    return positions[keep], parts[keep].reset_index(drop=True)


def check_categories(n_distinct: int, column: str, spec: DatasetSpec, file: str) -> None:
    if n_distinct > spec.max_categories:
        raise InputError(
            f"{n_distinct} distinct values, more than dataset.max_categories = "
            f"{spec.max_categories} for a categorical column: bin it ([bins.{column}]), drop it "
            "from dataset.use_columns, or raise max_categories",
            file=file,
            column=column,
        )
