"""Read a private input file into an encoded table, one row per subject, validating everything on the way.

Pipeline (the reference system's data model, sds-algorithms.md section 2):

1. read CSV/TSV (delimiter and encoding given or detected; lines whose cells are all empty are skipped) or
   Parquet; every cell becomes a string;
2. resolve the spec's column names against the header (trimmed, case-insensitive);
3. keep the first ``record_limit`` rows; trim values, treat ``""`` and ``"0"`` as absent (except in
   sensitive-zero columns), escape the reserved ``;`` and ``:`` as ``<semicolon>`` / ``<colon>``;
4. join rows that share a subject id (single-value columns fill, multi-value columns union);
5. bin numeric columns (DP quantile edges spend privacy budget);
6. expand multi-value columns into binary ``{col}_{value}`` columns and encode (:mod:`synth.encode`).

Every bad input raises one :class:`~synth.errors.InputError` naming file, row (1-based, header = row 1) and
column where they apply. Nothing is written. The row counts in :class:`IngestResult` are private facts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from synth.encode import Column, Encoded, Schema
from synth.errors import InputError
from synth.release import RESERVED_COLUMNS
from synth.spec import COMMAND_LINE, BinSpec, DatasetSpec, column_key, dataset_name

DELIMITER_CANDIDATES = ",;\t|"
ESCAPES = ((";", "<semicolon>"), (":", "<colon>"))
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
#: Bytes of text used to detect the delimiter.
SNIFF_CHARS = 64_000
#: Preferred among equally plausible detected single-byte encodings, and the coherence difference that
#: still counts as "equally plausible" (charset-normalizer's coherence is in [0, 1]).
WESTERN = "cp1252"
COHERENCE_TIE = 0.05
#: At most this many row numbers are listed in an error message.
MAX_ROWS_LISTED = 10


@dataclass(frozen=True)
class IngestResult:
    """The encoded private table and what the release may say about how it was prepared.

    ``column_labels`` maps every used source column to its human label (the column name by default);
    ``bin_edges`` holds the edges of binned columns (public: from the spec, or DP quantiles);
    ``binning_epsilon`` is the budget the DP quantiles spent. ``input_rows`` and ``subjects`` are exact
    private counts: for the private report only, never for a release.
    """

    data: Encoded
    name: str
    title: str
    column_labels: dict[str, str]
    binning_epsilon: float
    bin_edges: dict[str, tuple[float, ...]]
    input_rows: int
    subjects: int
    delimiter: str | None
    encoding: str | None

    def private_facts(self) -> dict:
        """JSON-ready facts about the private input, for the private report."""
        return {
            "input_rows": self.input_rows,
            "subjects": self.subjects,
            "delimiter": self.delimiter,
            "encoding": self.encoding,
        }


@dataclass(frozen=True)
class _Table:
    """Raw cells of an input file: header names, one string column per header name, spreadsheet row numbers."""

    header: list[str]
    frame: pd.DataFrame
    rows: np.ndarray
    delimiter: str | None
    encoding: str | None


@dataclass(frozen=True)
class _Plan:
    """The spec resolved against the header: every name is a header name."""

    used: tuple[str, ...]
    subject_id: str | None
    multi_value: dict[str, str]
    sensitive_zeros: frozenset[str]
    bins: dict[str, BinSpec]
    labels: dict[str, str]


# ------------------------------------------------------------------------------------------------ reading


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
    fields = {c: len(next(csv.reader([header], delimiter=c))) for c in DELIMITER_CANDIDATES}
    most = max(fields.values())
    best = [c for c, n in fields.items() if n == most]
    if most == 1:
        return ","  # a single-column file
    if len(best) > 1:
        raise InputError("cannot detect the delimiter (tried , ; tab |); set dataset.delimiter", file=file, row=1)
    return best[0]


def _ragged_error(text: str, delimiter: str, n: int, file: str) -> InputError:
    """The error for the first row whose field count differs from the header's (error path only)."""
    for i, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
        if record and len(record) != n:
            return InputError(
                f"this row has {len(record)} fields but the header has {n} (wrong delimiter, or an "
                "unquoted delimiter inside a value?)",
                file=file,
                row=i + 1,
            )
    return InputError("the rows do not all have as many fields as the header", file=file)


def _read_text(path: Path, spec: DatasetSpec, file: str) -> _Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=file)
    text, encoding = _decode(raw, spec.encoding, file)
    delimiter = spec.delimiter or _detect_delimiter(text, path.suffix.lower(), file)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    if not header:
        raise InputError("the first line (the header) is empty", file=file, row=1)
    n = len(header)
    others = set(DELIMITER_CANDIDATES) - {delimiter}
    if n == 1 and any(c in header[0] for c in others):
        raise InputError(
            f"the header was read as one column {header[0]!r} with delimiter {delimiter!r}: wrong "
            "delimiter? Set dataset.delimiter",
            file=file,
            row=1,
        )
    ragged: list = []

    def on_invalid(row) -> str:
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
    return _Table(header, frame, keep + 1, delimiter, encoding)


def _arrow_strings(column: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as strings, null -> "". Floats print as pandas ``astype(str)`` does ("1.0"), so that,
    as in the reference's DataFrame input, ``0.0`` is not a zero."""
    if pa.types.is_floating(column.type):
        values = column.to_pandas()
        return values.astype(str).where(values.notna(), "").astype("str")
    return pc.fill_null(pc.cast(column, pa.string()), "").to_pandas()


def _read_parquet(path: Path, file: str) -> _Table:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read Parquet: {exc}", file=file) from None
    if table.num_rows == 0:
        raise InputError("the file has a header but no data rows", file=file)
    cells = {}
    for i, name in enumerate(table.column_names):
        try:
            cells[i] = _arrow_strings(table.column(i))
        except (pa.ArrowException, TypeError) as exc:
            raise InputError(
                f"cannot read the column as text ({table.column(i).type}): {exc}", file=file, column=name
            ) from None
    return _Table(list(table.column_names), pd.DataFrame(cells), np.arange(table.num_rows) + 2, None, None)


def _normalise_header(table: _Table, file: str) -> _Table:
    """Trim and escape header names; reject empty and duplicate (case-insensitive) names."""
    header = [_escape_one(str(h).strip()) for h in table.header]
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
    return _Table(header, frame, table.rows, table.delimiter, table.encoding)


def _read_table(path: Path, spec: DatasetSpec) -> _Table:
    file = str(path)
    if not path.is_file():
        raise InputError("input file not found", file=file)
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        table = _read_parquet(path, file)
    elif suffix in TEXT_SUFFIXES:
        table = _read_text(path, spec, file)
    else:
        raise InputError(f"unsupported file type {suffix or '(none)'!r}; use .csv, .tsv or .parquet", file=file)
    return _normalise_header(table, file)


# ------------------------------------------------------------------------------------------- the spec


def _resolve(header: list[str], spec: DatasetSpec, file: str) -> _Plan:
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
    return _Plan(
        used=used,
        subject_id=subject_id,
        multi_value={find("multi_value", c): d for c, d in spec.multi_value.items()},
        sensitive_zeros=frozenset(find("dataset.sensitive_zeros", c) for c in spec.sensitive_zeros),
        bins={find("bins", c): b for c, b in spec.bins.items()},
        labels={h: labels.get(h, h) for h in used},
    )


# ------------------------------------------------------------------------------------------ values


def _escape(values: pd.Series) -> pd.Series:
    for char, escaped in ESCAPES:
        values = values.str.replace(char, escaped, regex=False)
    return values


def _escape_one(value: str) -> str:
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


def _split_multi(values: pd.Series, delimiter: str, zero_is_value: bool) -> tuple[np.ndarray, pd.Series]:
    """(row position, cleaned part) for every non-empty part of a multi-value column."""
    lists = pc.split_pattern(pa.array(values.astype("str")), delimiter)
    positions = pc.list_parent_indices(lists).to_numpy()
    parts = clean_values(pc.list_flatten(lists).to_pandas(), zero_is_value)
    keep = (parts != "").to_numpy()
    return positions[keep], parts[keep].reset_index(drop=True)


def _check_categories(n_distinct: int, column: str, spec: DatasetSpec, file: str) -> None:
    if n_distinct > spec.max_categories:
        raise InputError(
            f"{n_distinct} distinct values, more than dataset.max_categories = "
            f"{spec.max_categories} for a categorical column: bin it ([bins.{column}]), drop it "
            "from dataset.use_columns, or raise max_categories",
            file=file,
            column=column,
        )


def _numbers(
    codes: np.ndarray, uniques: np.ndarray, rows: np.ndarray, column: str, bins: BinSpec, file: str
) -> np.ndarray:
    """The distinct values of a binned column as finite numbers (inside the edges for method "edges")."""
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(numbers)
    problem = "{!r} is not a number (the column is binned)"
    if not bad.any() and bins.method == "edges":
        lo, hi = bins.edges[0], bins.edges[-1]
        bad = (numbers < lo) | (numbers > hi)
        problem = f"{{}} is outside the bin edges [{lo:g}, {hi:g}] (add an edge, e.g. inf)"
    if bad.any():
        first = int(np.flatnonzero(bad[np.maximum(codes, 0)] & (codes >= 0))[0])
        raise InputError(problem.format(uniques[codes[first]]), file=file, row=int(rows[first]), column=column)
    return numbers


# ------------------------------------------------------------------------------------------ binning


def dp_quantiles(
    values: np.ndarray, quantiles: list[float], lower: float, upper: float, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """Sorted DP estimates of ``quantiles`` of ``values`` (one value per subject), epsilon-DP in total.

    Exponential mechanism over [lower, upper] (Smith 2011): values are clipped, sorted and bracketed by the
    bounds; the gap between ranks i and i+1 is picked with probability proportional to
    ``width * exp(-eps_q * |i - q n| / 2)`` (utility sensitivity 1), then a point uniformly inside it. The
    budget is split equally: each quantile spends ``epsilon / len(quantiles)`` (basic composition).
    """
    z = np.concatenate([[lower], np.sort(np.clip(np.asarray(values, float), lower, upper)), [upper]])
    widths = np.diff(z)
    ranks = np.arange(widths.size)
    eps_each = epsilon / len(quantiles)
    out = []
    for q in quantiles:
        with np.errstate(divide="ignore"):
            log_w = np.log(widths) - eps_each * np.abs(ranks - q * (z.size - 2)) / 2
        p = np.exp(log_w - log_w.max())
        i = rng.choice(widths.size, p=p / p.sum())
        out.append(rng.uniform(z[i], z[i + 1]))
    return np.sort(np.array(out))


def interval_labels(edges: np.ndarray) -> tuple[str, ...]:
    """ "[lo, hi)" labels; the last bin is closed, "[lo, hi]"."""
    last = len(edges) - 2
    return tuple(f"[{a:g}, {b:g}{']' if i == last else ')'}" for i, (a, b) in enumerate(pairwise(edges)))


def bin_edges(bins: BinSpec, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The edges of one binned column; ``values`` (one per subject) are used only by DP quantiles."""
    if bins.method == "edges":
        return np.array(bins.edges, dtype=float)
    if bins.method == "equal_width":
        return np.linspace(bins.lower, bins.upper, bins.bins + 1)
    inner = dp_quantiles(
        values, [j / bins.bins for j in range(1, bins.bins)], bins.lower, bins.upper, bins.epsilon, rng
    )
    return np.concatenate([[bins.lower], inner, [bins.upper]])


def assign_bins(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value: [lo, hi) bins, the last closed; values outside the edges are clipped in."""
    clipped = np.clip(values, edges[0], edges[-1])
    return np.minimum(np.searchsorted(edges, clipped, side="right") - 1, len(edges) - 2)


# ---------------------------------------------------------------------------------------------- join


def _subjects(ids: pd.Series, rows: np.ndarray, column: str, file: str) -> tuple[np.ndarray, np.ndarray]:
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


def _conflict_error(
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


def _sorted_codes(codes: np.ndarray, values: np.ndarray, sort: bool = True) -> tuple[np.ndarray, tuple]:
    """Recode so that codes index only the values that occur: sorted, or in their given order."""
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values)))
    if sort:
        used = used[np.argsort(values[used].astype(str), kind="stable")]
    rank = np.full(max(len(values), 1), -1, dtype=np.int64)
    rank[used] = np.arange(used.size)
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), tuple(str(v) for v in values[used])


# ---------------------------------------------------------------------------------------------- main


def read_private(path: Path, spec: DatasetSpec, *, rng: np.random.Generator | None = None) -> IngestResult:
    """Read, validate, join, bin and encode one private input file (see the module docstring).

    ``rng`` drives the DP quantiles of quantile-binned columns (fresh OS entropy when None).
    """
    path = Path(path)
    file = str(path)
    table = _read_table(path, spec)
    plan = _resolve(table.header, spec, file)
    frame, rows = table.frame, table.rows
    if spec.record_limit:
        frame, rows = frame.iloc[: spec.record_limit], rows[: spec.record_limit]
    frame = frame.reset_index(drop=True)

    # Row level: every single-value column as codes into its distinct values, multi-value columns as parts.
    coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    multi: dict[str, tuple[np.ndarray, pd.Series]] = {}
    numbers: dict[str, np.ndarray] = {}
    for col in plan.used:
        zero_is_value = col in plan.sensitive_zeros
        if col in plan.multi_value:
            multi[col] = _split_multi(frame[col], plan.multi_value[col], zero_is_value)
            _check_categories(multi[col][1].nunique(), col, spec, file)
            continue
        coded[col] = factorize(clean_values(frame[col], zero_is_value))
        if col in plan.bins:
            numbers[col] = _numbers(*coded[col], rows, col, plan.bins[col], file)
        else:
            _check_categories(len(coded[col][1]), col, spec, file)

    # Subject level: one row per subject id (or per row).
    if plan.subject_id:
        row_subject, ids = _subjects(frame[plan.subject_id], rows, plan.subject_id, file)
        n_subjects = len(ids)
        joined, conflicts = {}, {}
        for col, (codes, uniques) in coded.items():
            joined[col], bad = join_codes(row_subject, n_subjects, codes, len(uniques))
            if bad.size:
                conflicts[col] = int(bad[0])
        if conflicts:
            first = min(conflicts, key=conflicts.get)
            raise _conflict_error(
                conflicts[first], first, list(conflicts), *coded[first], row_subject, ids, rows, plan.subject_id, file
            )
    else:
        n_subjects = len(frame)
        row_subject = np.arange(n_subjects)
        joined = {col: codes for col, (codes, _) in coded.items()}

    rng = rng if rng is not None else np.random.default_rng()
    blocks: list[np.ndarray] = []
    columns: list[Column] = []
    edges_by_column: dict[str, tuple[float, ...]] = {}
    binning_epsilon = 0.0
    for col in plan.used:
        if col in multi:
            positions, parts = multi[col]
            codes, values = pd.factorize(parts, sort=True)
            present = np.zeros((n_subjects, len(values)), dtype=bool)
            present[row_subject[positions], codes] = True
            blocks.append(np.where(present, 0, -1))
            columns += [
                Column(f"{col}_{v}", col, ("1",), multi_value=True, delimiter=plan.multi_value[col]) for v in values
            ]
        elif col in plan.bins:
            bins, has = plan.bins[col], joined[col] >= 0
            edges = bin_edges(bins, numbers[col][joined[col][has]], rng)
            binning_epsilon += bins.epsilon
            index = np.full(n_subjects, -1, dtype=np.int64)
            index[has] = assign_bins(numbers[col][joined[col][has]], edges)
            labels = np.array(bins.labels or interval_labels(edges), dtype=object)
            # Bin order, not alphabetical: the values of a binned column are its labels as the bins run.
            codes, values = _sorted_codes(index, labels, sort=False)
            blocks.append(codes[:, None])
            columns.append(Column(col, col, values))
            edges_by_column[col] = tuple(float(e) for e in edges)
        else:
            codes, values = _sorted_codes(joined[col], coded[col][1])
            blocks.append(codes[:, None])
            columns.append(Column(col, col, values))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(
            "two columns get this name after multi-value expansion ({column}_{value}); rename one",
            file=file,
            column=dup,
        )
    reserved = next((n for n in names if n.lower() in RESERVED_COLUMNS), None)
    if reserved is not None:
        raise InputError(
            f"this column name is reserved by the release format ({', '.join(sorted(RESERVED_COLUMNS))});"
            " rename the column",
            file=file,
            column=reserved,
        )

    codes = np.hstack(blocks).astype(np.int32) if blocks else np.zeros((n_subjects, 0), np.int32)
    name = dataset_name(spec, path)
    return IngestResult(
        data=Encoded(Schema(tuple(columns)), codes),
        name=name,
        title=spec.title or name,
        column_labels=plan.labels,
        binning_epsilon=binning_epsilon,
        bin_edges=edges_by_column,
        input_rows=len(frame),
        subjects=n_subjects,
        delimiter=table.delimiter,
        encoding=table.encoding,
    )
