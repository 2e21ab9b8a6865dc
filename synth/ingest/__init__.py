"""Read a private input file into an encoded table, one row per subject, validating everything on the way.

Pipeline (the reference system's data model, sds-algorithms.md section 2):

1. read CSV/TSV (delimiter and encoding given or detected; lines whose cells are all empty are skipped) or
   Parquet; every cell becomes a string (:mod:`synth.ingest.read`);
2. resolve the spec's column names against the header (trimmed, case-insensitive; :mod:`synth.ingest.resolve`);
3. keep the first ``record_limit`` rows; trim values, treat ``""`` and ``"0"`` as absent (except in
   sensitive-zero columns; a column where "0" is most of the non-empty cells gets a warning suggesting
   ``sensitive_zeros``), blank the null tokens of binned columns (``[bins.COL] null``), escape the reserved
   ``;`` and ``:`` as ``<semicolon>`` / ``<colon>`` (:mod:`synth.ingest.resolve`); check the values of columns
   with a declared domain (``[domains]``), mapping out-of-domain values to the domain's ``other`` value or
   refusing them (:mod:`synth.ingest.domains`);
4. join rows that share a subject id (single-value columns fill, multi-value columns union;
   :mod:`synth.ingest.join`);
5. bin numeric columns (:mod:`synth.ingest.binning`; DP quantile edges, :mod:`synth.dp.quantiles`, spend
   privacy budget); a subject with a null token and no value falls into the column's ``null_bin`` when the
   spec declares one (the last label), else its cell is absent;
6. keep at most m_c values per subject in a multi-value column c (a uniformly random subset of a larger
   set; m_c from the spec), expand multi-value columns into binary ``{col}_{value}`` columns and encode
   (:mod:`synth.encode`). A declared column (and a binned one: its bin labels are public) lists every
   declared value in declared order, present or not, and is marked ``declared``; other columns list the
   values present, sorted.

Every bad input raises one :class:`~synth.errors.InputError` naming file, row (1-based, header = row 1) and
column where they apply. Nothing is written. The row counts in :class:`IngestResult` are private facts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from synth.dp.marginals import cap_contributions
from synth.dp.percentile import max_attributes
from synth.encode import Column, Encoded, Schema
from synth.errors import InputError
from synth.ingest.binning import assign_bins, bin_edges, interval_labels, numeric_values
from synth.ingest.domains import apply_domain, declared_values
from synth.ingest.fingerprint import content_fingerprint
from synth.ingest.join import conflict_error, join_codes, subject_numbers
from synth.ingest.read import read_table
from synth.ingest.resolve import check_categories, clean_values, escape_one, factorize, resolve, split_multi
from synth.release_format import RESERVED_COLUMNS
from synth.spec import DatasetSpec, dataset_name

log = logging.getLogger(__name__)

#: A column not among the sensitive zeros where more than this share of the non-empty cells are "0" gets a
#: warning: ingest treats "0" as absent there, so most of the column would vanish.
ZERO_WARNING_SHARE = 0.5


@dataclass(frozen=True)
class IngestResult:
    """The encoded private table and what the release may say about how it was prepared.

    ``column_labels`` maps every used source column to its human label (the column name by default);
    ``bin_edges`` holds the edges of binned columns (public: from the spec, or DP quantiles);
    ``binning_epsilon`` is the budget the DP quantiles spent. ``max_attributes`` is W_max, the most attributes
    a subject can hold, from the spec and the header only (public). ``input_rows``, ``subjects`` and
    ``subsampled`` (per multi-value column, the subjects that had more than m_c values) are exact private
    counts: for the private report only, never for a release. ``fingerprint`` (private, for the ledger)
    identifies the input's content (:mod:`synth.ingest.fingerprint`). ``zero_shares`` (private) is, per used
    column that is not a sensitive zero, the share of its non-empty cells (parts) that were "0" and so became
    absent.
    """

    data: Encoded
    name: str
    title: str
    column_labels: dict[str, str]
    binning_epsilon: float
    bin_edges: dict[str, tuple[float, ...]]
    max_attributes: int
    input_rows: int
    subjects: int
    subsampled: dict[str, int]
    delimiter: str | None
    encoding: str | None
    fingerprint: str
    zero_shares: dict[str, float] = field(default_factory=dict)

    @property
    def zero_heavy(self) -> list[str]:
        """Columns where "0", treated as absent, is most of the data (more than ZERO_WARNING_SHARE)."""
        return [col for col, share in self.zero_shares.items() if share > ZERO_WARNING_SHARE]

    def private_facts(self) -> dict:
        """JSON-ready facts about the private input, for the private report."""
        return {
            "input_rows": self.input_rows,
            "subjects": self.subjects,
            "subjects_with_multi_values_subsampled": self.subsampled,
            "delimiter": self.delimiter,
            "encoding": self.encoding,
        }


def _sorted_codes(codes: np.ndarray, values: np.ndarray, sort: bool = True) -> tuple[np.ndarray, tuple]:
    """Recode so that codes index only the values that occur: sorted, or in their given order."""
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values)))
    if sort:
        used = used[np.argsort(values[used].astype(str), kind="stable")]
    rank = np.full(max(len(values), 1), -1, dtype=np.int64)
    rank[used] = np.arange(used.size)
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), tuple(str(v) for v in values[used])


def _zero_share(zeros: np.ndarray, non_empty: int) -> float:
    """The share of a column's non-empty cells (parts) that are "0" (0 for a column without any)."""
    return float(zeros.sum() / non_empty) if non_empty else 0.0


def _keep_at_most(present: np.ndarray, m: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Each subject's (row's) values, a uniformly random ``m`` of them where it has more; and how many had more."""
    over = int((present.sum(axis=1) > m).sum())
    if over == 0:
        return present, 0
    return cap_contributions(np.where(present, 0, -1), m, rng), over


def read_private(path: Path, spec: DatasetSpec, *, rng: np.random.Generator | None = None) -> IngestResult:
    """Read, validate, join, bin and encode one private input file (see the module docstring).

    ``rng`` drives the DP quantiles of quantile-binned columns and the subsampling of multi-value sets larger
    than m_c (fresh OS entropy when None).
    """
    path = Path(path)
    file = str(path)
    table = read_table(path, spec)
    plan = resolve(table.header, spec, file)
    frame, rows = table.frame, table.rows
    if spec.record_limit:
        frame, rows = frame.iloc[: spec.record_limit], rows[: spec.record_limit]
    frame = frame.reset_index(drop=True)

    # Row level: every single-value column as codes into its distinct values, multi-value columns as parts.
    coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    multi: dict[str, tuple[np.ndarray, pd.Series]] = {}
    numbers: dict[str, np.ndarray] = {}
    null_rows: dict[str, np.ndarray] = {}  # per binned column with a null bin: the rows holding a null token
    zero_shares: dict[str, float] = {}
    for col in plan.used:
        zero_is_value = col in plan.sensitive_zeros
        domain = plan.domains.get(col)
        if col in plan.multi_value:
            positions, parts = split_multi(frame[col], plan.multi_value[col], zero_is_value=True)
            if not zero_is_value:
                zeros = (parts == "0").to_numpy()
                zero_shares[col] = _zero_share(zeros, len(parts))
                positions, parts = positions[~zeros], parts[~zeros].reset_index(drop=True)
            if domain is not None:
                parts = apply_domain(parts, rows[positions], domain, col, file, spec.source)
            multi[col] = positions, parts
            check_categories(multi[col][1].nunique(), col, spec, file)
            continue
        cells = clean_values(frame[col], zero_is_value=True)
        if not zero_is_value:
            zeros = (cells == "0").to_numpy()
            zero_shares[col] = _zero_share(zeros, int((cells != "").sum()))
            cells = cells.where(~zeros, "")
        if col in plan.bins and plan.bins[col].null:
            is_null = cells.isin([escape_one(t) for t in plan.bins[col].null]).to_numpy()
            cells = cells.where(~is_null, "")
            if plan.bins[col].null_bin is not None:
                null_rows[col] = is_null
        coded[col] = factorize(cells if domain is None else apply_domain(cells, rows, domain, col, file, spec.source))
        if col in plan.bins:
            numbers[col] = numeric_values(*coded[col], rows, col, plan.bins[col], file)
        else:
            check_categories(len(coded[col][1]), col, spec, file)

    # Subject level: one row per subject id (or per row).
    if plan.subject_id:
        row_subject, ids = subject_numbers(frame[plan.subject_id], rows, plan.subject_id, file)
        n_subjects = len(ids)
        joined, conflicts = {}, {}
        for col, (codes, uniques) in coded.items():
            joined[col], bad = join_codes(row_subject, n_subjects, codes, len(uniques))
            if bad.size:
                conflicts[col] = int(bad[0])
        if conflicts:
            first = min(conflicts, key=conflicts.__getitem__)
            raise conflict_error(
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
    subsampled: dict[str, int] = {}
    for col in plan.used:
        if col in multi:
            positions, parts = multi[col]
            if col in plan.domains:  # every declared value gets its column, in declared order
                values = pd.Index(declared_values(plan.domains[col]))
                codes = values.get_indexer(parts)
            else:
                codes, values = pd.factorize(parts, sort=True)
            present = np.zeros((n_subjects, len(values)), dtype=bool)
            present[row_subject[positions], codes] = True
            present, subsampled[col] = _keep_at_most(present, plan.max_values[col], rng)
            if col not in plan.domains:  # a value nobody keeps after subsampling loses its column (declared stay)
                held = present.any(axis=0)
                values, present = values[held], present[:, held]
            blocks.append(np.where(present, 0, -1))
            columns += [
                Column(
                    f"{col}_{v}",
                    col,
                    ("1",),
                    multi_value=True,
                    delimiter=plan.multi_value[col],
                    declared=col in plan.domains,
                )
                for v in values
            ]
        elif col in plan.bins:
            bins, has = plan.bins[col], joined[col] >= 0
            edges = bin_edges(bins, numbers[col][joined[col][has]], rng)
            binning_epsilon += bins.epsilon
            index = np.full(n_subjects, -1, dtype=np.int64)
            index[has] = assign_bins(numbers[col][joined[col][has]], edges)
            # Bin order, not alphabetical: the values of a binned column are its labels as the bins run, all of
            # them (the edges are public, so the labels are a declared domain).
            labels = tuple(str(label) for label in (bins.labels or interval_labels(edges)))
            if bins.null_bin is not None:
                # Subjects with a null token and no value fall into the null bin, the last label (a value fills
                # a null token as it fills an empty cell).
                if bins.null_bin in labels:
                    raise spec.error(
                        f"[bins.{col}] null_bin: {bins.null_bin!r} is also a bin's label; pick another", col
                    )
                nulls = np.zeros(n_subjects, dtype=bool)
                nulls[row_subject[null_rows[col]]] = True
                index[~has & nulls] = len(labels)
                labels += (bins.null_bin,)
            blocks.append(index[:, None])
            columns.append(Column(col, col, labels, declared=True))
            edges_by_column[col] = tuple(float(e) for e in edges)
        elif col in plan.domains:
            # All declared values in declared order, also those absent from the data.
            values = declared_values(plan.domains[col])
            position = np.append(pd.Index(values).get_indexer(coded[col][1]), -1)
            blocks.append(position[joined[col]][:, None])
            columns.append(Column(col, col, values, declared=True))
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
    result = IngestResult(
        data=Encoded(Schema(tuple(columns)), codes),
        name=name,
        title=spec.title or name,
        column_labels=plan.labels,
        binning_epsilon=binning_epsilon,
        bin_edges=edges_by_column,
        max_attributes=max_attributes(plan.used, plan.max_values),
        input_rows=len(frame),
        subjects=n_subjects,
        subsampled=subsampled,
        delimiter=table.delimiter,
        encoding=table.encoding,
        fingerprint=content_fingerprint(table),
        zero_shares=zero_shares,
    )
    for col in result.zero_heavy:
        # The column name is public (header); the share is a private fact and stays in the private report.
        log.warning(
            'column %r: most of its non-empty cells are "0", which is read as absent; if 0 is a real value '
            "there, list the column in dataset.sensitive_zeros (or --sensitive-zeros %s)",
            col,
            col,
        )
    return result
