"""Prepare / Select: preview of an input, suggestions, the dataset spec built from the choices, the risk analysis.

Pure functions over a file path and plain values; the callbacks only wire them to components.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.ingest import ZERO_WARNING_SHARE, read_private
from synth.ingest.read import read_table
from synth.risk import risk_report
from synth.spec import DatasetSpec, load_spec, spec_toml

#: Delimiters looked for inside cells to suggest multi-value columns, and the share of cells that must have one.
MULTI_VALUE_DELIMITERS = (";", "|")
MULTI_VALUE_SHARE = 0.05
TOP_VALUES = 12


@dataclass(frozen=True)
class ColumnPreview:
    """One input column: distinct values, non-empty cells, share of "0" cells, most frequent values."""

    name: str
    distinct: int
    non_empty: int
    zero_share: float
    delimiter: str | None
    top: list[tuple[str, int]]


@dataclass(frozen=True)
class Preview:
    file: str
    rows: int
    columns: list[ColumnPreview]

    def suggested_zeros(self) -> list[str]:
        """Columns where "0" is most of the non-empty cells: perhaps a real value (``sensitive_zeros``)."""
        return [c.name for c in self.columns if c.zero_share > ZERO_WARNING_SHARE]

    def suggested_multi_value(self) -> dict[str, str]:
        """Columns whose cells often hold a delimiter: perhaps multi-value columns."""
        return {c.name: c.delimiter for c in self.columns if c.delimiter}


def _column(name: str, cells: pd.Series) -> ColumnPreview:
    filled = cells.astype(str).str.strip()
    filled = filled[filled != ""]
    counts = filled.value_counts(sort=True)
    n = int(filled.size)
    shares = {d: float(filled.str.contains(d, regex=False).mean()) if n else 0.0 for d in MULTI_VALUE_DELIMITERS}
    return ColumnPreview(
        name=name,
        distinct=int(counts.size),
        non_empty=n,
        zero_share=int(counts.get("0", 0)) / n if n else 0.0,
        delimiter=next((d for d, share in shares.items() if share >= MULTI_VALUE_SHARE), None),
        top=[(str(v), int(c)) for v, c in counts.head(TOP_VALUES).items()],
    )


def preview(path: Path) -> Preview:
    """Per-column distinct counts, zero shares, delimiters and top values of an input file (InputError if bad)."""
    table = read_table(Path(path), DatasetSpec())
    frame = table.frame.fillna("")
    return Preview(
        file=Path(path).name,
        rows=len(frame),
        columns=[_column(name, frame[name]) for name in table.header],
    )


def _pairs(text: str, what: str) -> dict[str, list[str]]:
    """``column = a, b, c`` lines -> {column: [a, b, c]} (blank lines skipped)."""
    out = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        column, sep, rest = line.partition("=")
        items = [item.strip() for item in rest.split(",") if item.strip()]
        if not sep or not column.strip() or not items:
            raise InputError(f"{what}, line {number}: expected 'column = value, value, ...', got {line.strip()!r}")
        out[column.strip()] = items
    return out


def spec_document(
    *,
    name: str | None,
    subject_id: str | None,
    use_columns: list[str],
    sensitive_zeros: list[str],
    multi_value: dict[str, str],
    bins: str = "",
    domains: str = "",
) -> dict:
    """The dataset spec (as the TOML document) of the console's choices; ``bins``/``domains`` are text lines.

    A bins line ``age = 0, 18, 30, inf`` makes edge bins; a domains line ``gender = Female, Male`` a public
    value list.
    """
    dataset: dict = {"use_columns": list(use_columns)}
    if name:
        dataset["name"] = name
    if subject_id:
        dataset["subject_id"] = subject_id
    if sensitive_zeros:
        dataset["sensitive_zeros"] = list(sensitive_zeros)
    doc: dict = {"dataset": dataset}
    if multi_value:
        doc["multi_value"] = dict(multi_value)
    edges = _pairs(bins, "bins")
    if edges:
        try:
            doc["bins"] = {c: {"method": "edges", "edges": [float(e) for e in v]} for c, v in edges.items()}
        except ValueError:
            raise InputError("bins: edges are numbers (inf allowed)") from None
    values = _pairs(domains, "domains")
    if values:
        doc["domains"] = values
    return doc


#: The [dataset] keys the console's controls set; every other key of a loaded spec is kept as it was.
CONTROLLED_DATASET_KEYS = ("name", "use_columns", "subject_id", "sensitive_zeros")


def edge_bins(doc: dict) -> dict:
    """The ``[bins]`` tables the console's bins text shows (method ``edges``); other methods it cannot edit."""
    return {c: b for c, b in doc.get("bins", {}).items() if b.get("method", "edges") == "edges" and "edges" in b}


def merge_spec(base: dict, edited: dict, *, every_column: bool = False) -> dict:
    """``edited`` (the document of the console's controls) over ``base`` (a spec loaded into the console).

    The controls own the dataset name, columns, subject id, sensitive zeros, multi-value columns, edge bins and
    value lists; everything else of ``base`` stays: column labels, titles, delimiters, ``[max_values]``, bin
    labels (while the bin's edges are unchanged), null settings, bins of other methods, domain files.
    ``every_column``: every column of the input is chosen; a base without ``use_columns`` stays without.
    """
    merged = copy.deepcopy(base)
    dataset = {k: v for k, v in merged.get("dataset", {}).items() if k not in CONTROLLED_DATASET_KEYS}
    dataset.update(edited.get("dataset", {}))
    if "use_columns" not in base.get("dataset", {}) and every_column:
        dataset.pop("use_columns", None)
    merged["dataset"] = dataset
    _replace_table(merged, "multi_value", edited.get("multi_value", {}))
    kept_bins = {c: b for c, b in merged.get("bins", {}).items() if c not in edge_bins(base)}
    for column, table in edited.get("bins", {}).items():
        old = edge_bins(base).get(column, {})
        nulls = {k: v for k, v in old.items() if k in ("null", "null_bin")}
        kept_bins[column] = old if old.get("edges") == table["edges"] else {**table, **nulls}
    _replace_table(merged, "bins", kept_bins)
    files = {c: v for c, v in merged.get("domains", {}).items() if not isinstance(v, list)}
    _replace_table(merged, "domains", {**files, **edited.get("domains", {})})
    return merged


def _replace_table(doc: dict, key: str, table: dict) -> None:
    if table:
        doc[key] = table
    else:
        doc.pop(key, None)


def save_spec(doc: dict, path: Path) -> DatasetSpec:
    """Write the spec document as TOML to ``path`` and load it back through synth's loader (its checks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(spec_toml(doc), encoding="utf-8")
    return load_spec(path)


def parse_spec(text: str, source: str) -> dict:
    """A spec TOML document loaded back into the console (InputError naming ``source`` when invalid)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", file=source) from None


def risk_analysis(path: Path, spec: DatasetSpec, reporting_length: int, resolution: int) -> dict:
    """The private privacy-risk report of the chosen columns (exact: for the data owner's eyes only)."""
    ingested = read_private(Path(path), spec, rng=np.random.default_rng())
    return risk_report(ingested.data, reporting_length, resolution)
