"""Reading a private input file (step 1 of :mod:`synth.ingest`): CSV/TSV with the delimiter and encoding given
or detected, or Parquet. Every cell becomes a string; header names are trimmed, escaped and checked for
duplicates."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from synth.errors import InputError
from synth.files import read_capped
from synth.ingest.resolve import escape_one
from synth.spec import DatasetSpec, column_key

DELIMITER_CANDIDATES = ",;\t|"
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
#: Bytes of text used to detect the delimiter.
SNIFF_CHARS = 64_000
#: Preferred among equally plausible detected single-byte encodings, and the coherence difference that
#: still counts as "equally plausible" (charset-normalizer's coherence is in [0, 1]).
WESTERN = "cp1252"
COHERENCE_TIE = 0.05


@dataclass(frozen=True)
class Table:
    """Raw cells of an input file: header names, one string column per header name, spreadsheet row numbers."""

    header: list[str]
    frame: pd.DataFrame
    rows: np.ndarray
    delimiter: str | None
    encoding: str | None


def _decode(raw: bytes, encoding: str | None, file: str) -> tuple[str, str]:
    """Text of the file and the encoding used (given, else UTF-8, else detected by charset-normalizer)."""
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            # Line-based: exact unless a quoted value spanning several lines comes before the bad bytes.
            row = raw.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"bytes {raw[exc.start : exc.end]!r} cannot be decoded as {encoding}; set "
                "dataset.encoding to the file's encoding (or leave it out to detect it)",
                file=file,
                row=row,
            ) from None
        except (UnicodeError, LookupError) as exc:  # a codec that is not a character set (spec checks most)
            raise InputError(f"cannot decode the file as {encoding}: {exc}", file=file) from None
        return text.removeprefix("\ufeff"), encoding
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = charset_normalizer.from_bytes(raw)
    best = matches.best()
    if best is None:
        raise InputError("cannot detect the text encoding (is it a text file?); set dataset.encoding", file=file)
    # Small files fit many single-byte code pages equally well (charset-normalizer may pick cp1250 for
    # Italian latin-1 text); among the equally plausible ones prefer Western European cp1252 (a latin-1
    # superset for printable characters), the usual encoding of spreadsheet exports.
    for match in matches:
        if (
            match.chaos <= best.chaos
            and match.coherence >= best.coherence - COHERENCE_TIE
            and WESTERN in match.could_be_from_charset
        ):
            return raw.decode(WESTERN), WESTERN
    return str(best).removeprefix("\ufeff"), best.encoding


def _detect_delimiter(text: str, suffix: str, file: str) -> str:
    """The file's delimiter among , ; tab | (csv.Sniffer on the first lines)."""
    sample = text[:SNIFF_CHARS]
    if len(text) > SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    header = sample.split("\n", 1)[0]
    if suffix in (".tsv", ".tab") and "\t" in header:
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITER_CANDIDATES).delimiter
    except csv.Error:
        pass
    # The sniffer wants consistent lines; a ragged row defeats it. Fall back on the header alone: the
    # candidate that splits it into the most fields, if there is exactly one such.
    fields = {c: len(_first_record(header, c, file)) for c in DELIMITER_CANDIDATES}
    most = max(fields.values())
    best = [c for c, n in fields.items() if n == most]
    if most == 1:
        return ","  # a single-column file
    if len(best) > 1:
        raise InputError("cannot detect the delimiter (tried , ; tab |); set dataset.delimiter", file=file, row=1)
    return best[0]


def _first_record(text: str, delimiter: str, file: str) -> list[str]:
    """The fields of the first line (the header); InputError when a field is over the csv module's limit."""
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(
            f"cannot read the header: {exc} characters; is it a delimited text file?", file=file, row=1
        ) from None


def _ragged_error(text: str, delimiter: str, n: int, file: str) -> InputError:
    """The error for the first row whose field count differs from the header's (error path only)."""
    row = 0
    try:
        for row, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if record and len(record) != n:
                return InputError(
                    f"this row has {len(record)} fields but the header has {n} (wrong delimiter, or an "
                    "unquoted delimiter inside a value?)",
                    file=file,
                    row=row,
                )
    except csv.Error as exc:
        return InputError(f"cannot read the rows: {exc} characters", file=file, row=row + 1)
    return InputError("the rows do not all have as many fields as the header", file=file)


def _read_text(raw: bytes, suffix: str, spec: DatasetSpec, file: str) -> Table:
    if not raw.strip():
        raise InputError("the file is empty", file=file)
    text, encoding = _decode(raw, spec.encoding, file)
    delimiter = spec.delimiter or _detect_delimiter(text, suffix, file)
    header = _first_record(text, delimiter, file)
    if not header:
        raise InputError("the first line (the header) is empty", file=file, row=1)
    n = _check_width(len(header), spec, file)
    others = set(DELIMITER_CANDIDATES) - {delimiter}
    if n == 1 and any(c in header[0] for c in others):
        raise InputError(
            f"the header was read as one column {header[0]!r} with delimiter {delimiter!r}: wrong "
            "delimiter? Set dataset.delimiter",
            file=file,
            row=1,
        )
    ragged: list[pcsv.InvalidRow] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        ragged.append(row)
        return "error"

    names = [f"f{i}" for i in range(n)]
    try:
        # The header is read as row 0, so table row i is spreadsheet row i + 1 (blank lines are kept as rows
        # of empty cells, then dropped below, so the numbering stays right).
        parsed = pcsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if ragged:
            raise _ragged_error(text, delimiter, n, file) from None
        if "straddl" in str(exc):
            raise InputError(
                f"a row is longer than the reader's block of {pcsv.ReadOptions().block_size:,} bytes (a huge "
                "value, or an unclosed quote?); values are categories, keep them short",
                file=file,
            ) from None
        raise InputError(f"cannot parse the file: {exc}", file=file) from None
    # Skip lines whose cells are all empty: blank lines (as the reference's CSV reader does) and, unlike the
    # reference, rows of bare delimiters (a record without attributes would only add to the record count).
    filled = np.zeros(parsed.num_rows, dtype=bool)
    for column in parsed.columns:
        filled |= pc.greater(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)
    filled[0] = False
    keep = np.flatnonzero(filled)
    if keep.size == 0:
        raise InputError("the file has a header but no data rows", file=file)
    body = parsed.take(pa.array(keep))
    frame = pd.DataFrame({i: body.column(i).to_pandas() for i in range(n)})
    return Table(header, frame, keep + 1, delimiter, encoding)


def _arrow_strings(column: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as strings, null -> "". Floats print as pandas ``astype(str)`` does ("1.0"), so that,
    as in the reference's DataFrame input, ``0.0`` is not a zero."""
    if pa.types.is_floating(column.type):
        values = column.to_pandas()
        return values.astype(str).where(values.notna(), "").astype("str")
    return pc.fill_null(pc.cast(column, pa.string()), "").to_pandas()


def _read_parquet(raw: bytes, spec: DatasetSpec, file: str) -> Table:
    try:
        table = pq.read_table(pa.BufferReader(raw))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read Parquet: {exc}", file=file) from None
    if table.num_rows == 0:
        raise InputError("the file has a header but no data rows", file=file)
    _check_width(table.num_columns, spec, file)
    cells = {}
    for i, name in enumerate(table.column_names):
        try:
            cells[i] = _arrow_strings(table.column(i))
        except (pa.ArrowException, TypeError) as exc:
            raise InputError(
                f"cannot read the column as text ({table.column(i).type}): {exc}", file=file, column=name
            ) from None
    return Table(list(table.column_names), pd.DataFrame(cells), np.arange(table.num_rows) + 2, None, None)


def _normalise_header(table: Table, file: str) -> Table:
    """Trim and escape header names; reject empty and duplicate (case-insensitive) names."""
    header = [escape_one(str(h).strip()) for h in table.header]
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if not h:
            raise InputError(f"column {i + 1} of the header has no name", file=file, row=1)
        if column_key(h) in seen:
            raise InputError(
                f"duplicate column name: columns {seen[column_key(h)] + 1} and {i + 1} are both "
                f"{h!r} (names are compared trimmed and ignoring case)",
                file=file,
                row=1,
                column=h,
            )
        seen[column_key(h)] = i
    frame = table.frame.set_axis(header, axis=1)
    return Table(header, frame, table.rows, table.delimiter, table.encoding)


def _check_width(n_columns: int, spec: DatasetSpec, file: str) -> int:
    """``n_columns`` when it is within ``dataset.max_columns``; else InputError (before the rows are parsed)."""
    if n_columns > spec.max_columns:
        raise InputError(
            f"the file has {n_columns:,} columns, more than dataset.max_columns = {spec.max_columns:,}; "
            "keep the columns you need (a narrower file), or raise dataset.max_columns",
            file=file,
            row=1,
        )
    return n_columns


def read_table(path: Path, spec: DatasetSpec) -> Table:
    """The raw cells of ``path`` (at most ``dataset.max_input_bytes``, at most ``dataset.max_columns``)."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in PARQUET_SUFFIXES + TEXT_SUFFIXES:
        if path.is_dir():
            raise InputError("input file is a directory, not a file", file=file)
        raise InputError(f"unsupported file type {suffix or '(none)'!r}; use .csv, .tsv or .parquet", file=file)
    raw = read_capped(path, spec.max_input_bytes, file, "input file")
    if suffix in PARQUET_SUFFIXES:
        table = _read_parquet(raw, spec, file)
    else:
        table = _read_text(raw, suffix, spec, file)
    return _normalise_header(table, file)
