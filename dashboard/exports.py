"""Exports (CSV, Excel, Parquet) with provenance, and spreadsheet formula-injection neutralisation."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import i18n
from dashboard.i18n import gettext
from dashboard.store import Release
from synth.formulas import neutralise_frame

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
EXCEL_MAX_ROWS = 1_048_575
#: Formats slow enough to build (openpyxl: ~0.15 ms a cell) that a built file is kept per release and query.
CACHED_FORMATS = ("xlsx",)
#: A CSV export's rows are kept per release and query (the provenance header is written per request) when the
#: release has at most this many records: a few MB a query at most.
CSV_MEMO_MAX_RECORDS = 100_000


def provenance(release: Release, kind: str, parameters: dict, citation: str) -> dict:
    """What every export carries: release, privacy parameters, the query, generation time, citation, and the
    language of its note (keys and machine values stay English)."""
    p = release.privacy
    return {
        "dataset": release.dataset.name,
        "release_id": release.release_id,
        "release_created_at": release.metadata.created_at,
        "content": kind,
        "privacy": {
            "mechanism": p.mechanism,
            "epsilon": p.epsilon,
            "delta": p.delta,
            "cumulative_epsilon": p.cumulative_epsilon,
            "cumulative_delta": p.cumulative_delta,
            "reporting_length": p.reporting_length,
            "protected_number_of_records": p.protected_number_of_records,
        },
        "query": parameters,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "citation": citation,
        "language": i18n.current(),
        "note": gettext(
            "Synthetic records and DP aggregates only; counts from synthetic records are estimates. "
            "Combinations absent from the aggregates were suppressed by differential privacy (not zero)."
        ),
    }


def to_csv(frame: pd.DataFrame, prov: dict) -> bytes:
    """CSV with a '# key: value' provenance header (pandas: read_csv(..., comment='#'))."""
    return csv_header(prov) + csv_rows(frame)


def csv_header(prov: dict) -> bytes:
    """The provenance lines that open a CSV export, one ``# key: value`` a line."""
    lines = [
        f"# {k}: {json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v}\n" for k, v in prov.items()
    ]
    return "".join(lines).encode("utf-8")


def csv_rows(frame: pd.DataFrame) -> bytes:
    """The header row and rows of a CSV export, formula-neutralised."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def to_excel(frame: pd.DataFrame, prov: dict, max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    """Workbook with a 'data' sheet and a 'metadata' sheet (named in the reader's language); at most ``max_rows``
    data rows (and never more than Excel's row limit): the rest is cut, with a note in the metadata."""
    buf = io.BytesIO()
    meta = dict(prov)
    limit = min(max_rows, EXCEL_MAX_ROWS)
    if len(frame) > limit:
        meta["truncated"] = gettext("first {n} of {total} rows (Excel export row limit); use CSV or Parquet").format(
            n=i18n.format_decimal(limit), total=i18n.format_decimal(len(frame))
        )
        frame = frame.iloc[:limit]
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        # sheet names come from the catalogs: Excel allows at most 31 characters and none of []:*?/\\
        neutralise_frame(frame).to_excel(writer, sheet_name=gettext("data"), index=False)
        rows = [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v) for k, v in meta.items()]
        neutralise_frame(pd.DataFrame(rows, columns=["key", "value"], dtype=object)).to_excel(
            writer, sheet_name=gettext("metadata"), index=False
        )
    return buf.getvalue()


def to_parquet(frame: pd.DataFrame, prov: dict) -> bytes:
    """Parquet with the provenance as JSON in the file's key-value metadata (key ``provenance``)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"provenance": json.dumps(prov, ensure_ascii=False).encode("utf-8")}
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def render(frame: pd.DataFrame, fmt: str, prov: dict, xlsx_max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    if fmt == "xlsx":
        return to_excel(frame, prov, xlsx_max_rows)
    return {"csv": to_csv, "parquet": to_parquet}[fmt](frame, prov)
