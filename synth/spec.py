"""Dataset spec: how to read one private input file (columns, subject id, multi-value columns, binning, public
value domains).

A spec comes from a TOML file (see README, "Dataset spec") and/or command-line overrides. Validation here is
structural (keys, types, ranges); column names are checked against the input file's header at ingest time
(:mod:`synth.ingest`). Every problem is an :class:`~synth.errors.InputError` naming the spec file and the key.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from synth.errors import InputError
from synth.files import read_capped

log = logging.getLogger(__name__)

#: Where a spec built from command-line flags alone "comes from", for error messages.
COMMAND_LINE = "command line"
#: A dataset id (spec ``name``, ``--name`` or the input's file stem): it names release folders, ledger
#: sources and export files, so it is one safe path component: a letter or digit first (never ``.tmp-``,
#: ``..`` or a hidden name), then letters, digits, ``.``, ``_`` and ``-``, 64 characters at most.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_NAME_RULE = "1-64 characters: letters, digits, '.', '_', '-', starting with a letter or digit"
#: Largest spec (and values file) read, in bytes: a spec is a few kilobytes; /dev/zero is not read whole.
MAX_SPEC_BYTES = 1 << 20
MAX_VALUES_FILE_BYTES = 16 << 20
#: Most bins of a binned column (``bins``, or edges - 1).
MAX_BINS = 10_000
#: Codecs that Python flags as text encodings but that are not character sets a data file is written in.
NOT_CHARSETS = frozenset({"undefined", "punycode", "idna", "unicode-escape", "raw-unicode-escape"})

BIN_METHODS = ("edges", "equal_width", "quantile")
#: Optional keys of every bin method: the bin labels, the null token(s) and the null token's own bin.
_BIN_OPTIONAL = {"labels", "null", "null_bin"}
_BIN_KEYS = {
    "edges": {"method", "edges"} | _BIN_OPTIONAL,
    "equal_width": {"method", "lower", "upper", "bins"} | _BIN_OPTIONAL,
    "quantile": {"method", "lower", "upper", "bins", "epsilon"} | _BIN_OPTIONAL,
}
_DATASET_KEYS = (
    "name",
    "title",
    "subject_id",
    "use_columns",
    "sensitive_zeros",
    "delimiter",
    "encoding",
    "max_categories",
    "max_values",
    "record_limit",
    "max_records",
    "column_labels",
    "max_input_bytes",
    "max_columns",
    "max_combinations",
)
_TABLES = ("dataset", "multi_value", "max_values", "bins", "domains")
_DOMAIN_KEYS = ("values", "file", "other")
#: Default of ``max_values``, the most values one subject keeps in a multi-value column (see docs/privacy.md).
DEFAULT_MAX_VALUES = 6
#: Defaults of the input limits (``dataset.max_input_bytes``, ``max_columns``, ``max_combinations``): the
#: size of the input file, its number of columns, and the cost of counting (the number of combinations of
#: up to R attributes over all records, :func:`synth.combos.combination_count`), checked before the work.
DEFAULT_MAX_INPUT_BYTES = 1 << 30
DEFAULT_MAX_COLUMNS = 1_000
DEFAULT_MAX_COMBINATIONS = 100_000_000


def column_key(name: str) -> str:
    """How column names are compared: trimmed and case-insensitive (as the reference)."""
    return name.strip().casefold()


@dataclass(frozen=True)
class BinSpec:
    """How to bin one numeric column into categories.

    ``edges``: explicit, strictly increasing edges. ``equal_width``: ``bins`` equal bins over [lower, upper].
    ``quantile``: ``bins`` bins whose inner edges are DP quantiles over [lower, upper] spending ``epsilon``.
    Bins are [lo, hi) except the last, which is [lo, hi]. ``labels`` default to that interval notation.
    ``null``: the column's null tokens (trimmed, as written; e.g. ``"N"``, ``"999"``): cells equal to one of them
    are absent, or, with ``null_bin``, fall into an extra last bin of that label instead of being binned.
    """

    method: str
    edges: tuple[float, ...] = ()
    lower: float | None = None
    upper: float | None = None
    bins: int | None = None
    epsilon: float = 0.0
    labels: tuple[str, ...] = ()
    null: tuple[str, ...] = ()
    null_bin: str | None = None

    @property
    def n_bins(self) -> int:
        return len(self.edges) - 1 if self.method == "edges" else int(self.bins or 0)

    def interval(self) -> tuple[float, float, int]:
        """``lower``, ``upper`` and ``bins`` of an ``equal_width`` or ``quantile`` spec (set for both)."""
        if self.lower is None or self.upper is None or self.bins is None:
            raise ValueError(f"bin method {self.method!r} has no lower, upper and bins")
        return self.lower, self.upper, self.bins


@dataclass(frozen=True)
class Domain:
    """The public value list of one column (``[domains]``): every value the column may hold, in order.

    ``values`` are trimmed, as written (ingest escapes the reserved ``;`` and ``:`` as it does for cells).
    ``other``: a declared value that out-of-domain values are mapped to; None means such a value is an error.
    ``file``: the values file it was read from (resolved path), None for an inline list.
    """

    values: tuple[str, ...]
    other: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """Everything ingest needs to know about one input file. Column names are as the user wrote them.

    ``max_values`` (m_c) is the most values one subject keeps in a multi-value column (ingest keeps a uniformly
    random subset of a larger set); ``column_max_values`` overrides it per multi-value column.
    """

    name: str | None = None
    title: str | None = None
    subject_id: str | None = None
    use_columns: tuple[str, ...] = ()
    sensitive_zeros: tuple[str, ...] = ()
    delimiter: str | None = None
    encoding: str | None = None
    max_categories: int = 250
    max_values: int = DEFAULT_MAX_VALUES
    record_limit: int = 0
    max_records: int | None = None  # public bound on the number of subjects: sets the default δ, larger inputs refused
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_combinations: int = DEFAULT_MAX_COMBINATIONS
    column_labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    multi_value: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    column_max_values: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    bins: Mapping[str, BinSpec] = field(default_factory=lambda: MappingProxyType({}))
    domains: Mapping[str, Domain] = field(default_factory=lambda: MappingProxyType({}))
    source: str = COMMAND_LINE

    def error(self, problem: str, column: str | None = None) -> InputError:
        """An InputError located in this spec (its file, or the command line)."""
        return located_error(self.source, problem, column)

    def max_values_of(self, column: str) -> int:
        """m_c of a multi-value column: its ``[max_values]`` entry, else ``dataset.max_values``."""
        own = {column_key(c): m for c, m in self.column_max_values.items()}
        return own.get(column_key(column), self.max_values)


def dataset_name(spec: DatasetSpec, input_path: Path) -> str:
    """The dataset id: the spec's name, else the input file's stem. Releases and the budget ledger key on it.

    A stem that is not a valid id (:data:`NAME_PATTERN`) is made one: runs of other characters become ``_``,
    leading ``.``/``_``/``-`` are dropped, and it is cut to 64 characters; when nothing is left, InputError.
    """
    if spec.name:
        return spec.name
    stem = Path(input_path).stem
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).lstrip("._-")[:64]
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            f"the file name gives no dataset id ({_NAME_RULE}); pass --name or set dataset.name",
            file=str(input_path),
        )
    if name != stem:
        log.info("dataset id %r derived from the file name %r", name, stem)
    return name


def located_error(source: str, problem: str, column: str | None = None) -> InputError:
    """An InputError naming the spec file, or saying the problem is in the command-line options."""
    if source == COMMAND_LINE:
        return InputError(f"command-line options: {problem}", column=column)
    return InputError(problem, file=source, column=column)


# ---------------------------------------------------------------------------------------------- checks


class _Checker:
    """Type checks that raise InputError naming the spec source and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str, column: str | None = None) -> InputError:
        return located_error(self.source, f"{key}: {problem}", column)

    def string(self, key: str, value: Any, *, allow_empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_type_name(value)}")
        if not allow_empty and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, (list, tuple)):
            raise self.fail(key, f"expected a list of strings, got {_type_name(value)}")
        out = tuple(self.string(f"{key}[{i}]", v) for i, v in enumerate(value))
        seen: dict[str, str] = {}
        for v in out:
            if column_key(v) in seen:
                raise self.fail(key, f"{v!r} is listed twice (names match trimmed and ignoring case)")
            seen[column_key(v)] = v
        return out

    def integer(self, key: str, value: Any, minimum: int, maximum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {_type_name(value)}")
        if value < minimum:
            raise self.fail(key, f"must be >= {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be <= {maximum}, got {value}")
        return value

    def name(self, key: str, value: Any) -> str:
        value = self.string(key, value).strip()
        if not NAME_PATTERN.fullmatch(value):
            raise self.fail(key, f"{value!r} is not a valid dataset id ({_NAME_RULE})")
        return value

    def number(self, key: str, value: Any, *, finite: bool = True) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, got {_type_name(value)}")
        if math.isnan(value) or (finite and math.isinf(value)):
            raise self.fail(key, f"must be a finite number, got {value}")
        return float(value)

    def table(self, key: str, value: Any) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_type_name(value)}")
        return value

    def known_keys(self, key: str, table: Mapping, allowed: Collection[str]) -> None:
        unknown = [k for k in table if k not in allowed]
        if unknown:
            where = f"[{key}] " if key else ""
            raise self.fail(
                f"{where}key {unknown[0]!r}".strip(), f"unknown key (allowed: {', '.join(sorted(allowed))})"
            )

    def delimiter(self, key: str, value: Any) -> str:
        value = self.string(key, value, allow_empty=True)
        if len(value) != 1 or value in '"\r\n':
            raise self.fail(key, f"must be a single character other than a quote or newline, got {value!r}")
        return value

    def encoding(self, key: str, value: Any) -> str:
        value = self.string(key, value)
        try:
            info = codecs.lookup(value)
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            raise self.fail(key, f"unknown text encoding {value!r}") from None
        if not getattr(info, "_is_text_encoding", True) or info.name in NOT_CHARSETS:
            raise self.fail(key, f"{value!r} is not a text encoding (a character set such as utf-8 or cp1252)")
        return value


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _parse_bin(check: _Checker, column: str, raw: Any) -> BinSpec:
    key = f"bins.{column}"
    raw = check.table(f"[{key}]", raw)
    method = check.string(f"[{key}] method", raw.get("method", ""), allow_empty=True)
    if method not in BIN_METHODS:
        raise check.fail(f"[{key}] method", f"must be one of {', '.join(BIN_METHODS)}, got {method!r}", column)
    check.known_keys(key, raw, _BIN_KEYS[method])
    for required in sorted(_BIN_KEYS[method] - _BIN_OPTIONAL):
        if required not in raw:
            raise check.fail(f"[{key}]", f"method {method!r} needs key {required!r}", column)
    if method == "edges":
        edges = raw["edges"]
        if not isinstance(edges, list) or not 2 <= len(edges) <= MAX_BINS + 1:
            raise check.fail(f"[{key}] edges", f"expected a list of 2 to {MAX_BINS + 1} numbers", column)
        spec = BinSpec(
            method, edges=tuple(check.number(f"[{key}] edges[{i}]", e, finite=False) for i, e in enumerate(edges))
        )
        if any(b <= a for a, b in zip(spec.edges, spec.edges[1:], strict=False)):
            raise check.fail(f"[{key}] edges", "must be strictly increasing", column)
    else:
        lower = check.number(f"[{key}] lower", raw["lower"])
        upper = check.number(f"[{key}] upper", raw["upper"])
        if upper <= lower:
            raise check.fail(f"[{key}] upper", f"must be greater than lower ({lower:g})", column)
        bins = check.integer(f"[{key}] bins", raw["bins"], 2 if method == "quantile" else 1, MAX_BINS)
        epsilon = 0.0
        if method == "quantile":
            epsilon = check.number(f"[{key}] epsilon", raw["epsilon"])
            if epsilon <= 0:
                raise check.fail(f"[{key}] epsilon", f"must be > 0, got {epsilon:g}", column)
        spec = BinSpec(method, lower=lower, upper=upper, bins=bins, epsilon=epsilon)
    if "labels" in raw:
        labels = check.strings(f"[{key}] labels", raw["labels"])
        if len(labels) != spec.n_bins:
            raise check.fail(
                f"[{key}] labels", f"expected {spec.n_bins} labels (one per bin), got {len(labels)}", column
            )
        spec = replace(spec, labels=labels)
    return _parse_null(check, key, column, raw, spec)


def _parse_null(check: _Checker, key: str, column: str, raw: dict, spec: BinSpec) -> BinSpec:
    """``null = "N"`` (or a list of tokens) and ``null_bin = "Unknown"`` of a ``[bins.COL]`` table."""
    if "null_bin" in raw and "null" not in raw:
        raise check.fail(f"[{key}] null_bin", 'needs the null token it stands for: add null = "..."', column)
    if "null" not in raw:
        return spec
    value = raw["null"]
    if isinstance(value, str):
        tokens: tuple[str, ...] = (check.string(f"[{key}] null", value).strip(),)
    elif isinstance(value, list) and value:
        tokens = tuple(check.string(f"[{key}] null[{i}]", v).strip() for i, v in enumerate(value))
        twice = next((t for i, t in enumerate(tokens) if t in tokens[:i]), None)
        if twice is not None:
            raise check.fail(f"[{key}] null", f"{twice!r} is listed twice", column)
    else:
        raise check.fail(
            f"[{key}] null", f"expected a string or a non-empty list of strings, got {_type_name(value)}", column
        )
    spec = replace(spec, null=tokens)
    if "null_bin" in raw:
        label = check.string(f"[{key}] null_bin", raw["null_bin"]).strip()
        if label in spec.labels:
            raise check.fail(f"[{key}] null_bin", f"{label!r} is already the label of a bin; pick another", column)
        spec = replace(spec, null_bin=label)
    return spec


def _domain_list(check: _Checker, key: str, raw: Any, column: str) -> tuple[str, ...]:
    """An inline value list: trimmed non-empty strings, no value twice (values compare exactly, after trimming)."""
    if not isinstance(raw, list):
        raise check.fail(key, f"expected a list of strings, got {_type_name(raw)}", column)
    values = tuple(check.string(f"{key}[{i}]", v).strip() for i, v in enumerate(raw))
    first: dict[str, int] = {}
    for i, v in enumerate(values):
        if v in first:
            raise check.fail(f"{key}[{i}]", f"{v!r} is listed twice (also at [{first[v]}])", column)
        first[v] = i
    return values


def _domain_file(check: _Checker, key: str, raw: Any, column: str) -> tuple[tuple[str, ...], str]:
    """The values of a values file (one per line; blank lines and lines starting with # skipped) and its path.

    A relative path is relative to the folder of the spec file.
    """
    name = check.string(key, raw)
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = Path(check.source).parent / path
    if not path.exists():
        raise check.fail(
            key, f"values file {str(path)!r} not found (relative to the spec file's folder)", column
        ) from None
    try:
        text = read_capped(path, MAX_VALUES_FILE_BYTES, str(path), "values file").decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise check.fail(key, f"cannot read values file {str(path)!r}: {exc}", column) from None
    values: list[str] = []
    first: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if value in first:
            raise check.fail(
                key, f"{value!r} is listed twice in {str(path)!r} (lines {first[value]} and {number})", column
            )
        first[value] = number
        values.append(value)
    return tuple(values), str(path)


def _parse_domain(check: _Checker, column: str, raw: Any) -> Domain:
    """``COL = ["v1", ...]`` or ``COL = { values = [...] | file = "path", other = "v" }``."""
    if isinstance(raw, list):
        key = f"domains.{column}"
        domain = Domain(_domain_list(check, key, raw, column))
    elif not isinstance(raw, dict):
        raise check.fail(
            f"domains.{column}", f"expected a list of values or a table (values or file), got {_type_name(raw)}", column
        )
    else:
        key = f"[domains.{column}]"
        table = raw
        check.known_keys(f"domains.{column}", table, _DOMAIN_KEYS)
        if ("values" in table) == ("file" in table):
            raise check.fail(key, "give either 'values' (a list) or 'file' (a values file, one per line)", column)
        if "values" in table:
            domain = Domain(_domain_list(check, f"{key} values", table["values"], column))
        else:
            values, file = _domain_file(check, f"{key} file", table["file"], column)
            domain = Domain(values, file=file)
        if "other" in table:
            other = check.string(f"{key} other", table["other"]).strip()
            if other not in domain.values:
                raise check.fail(f"{key} other", f"{other!r} must itself be one of the declared values", column)
            domain = replace(domain, other=other)
    if not domain.values:
        raise check.fail(key, "declares no value; list at least one", column)
    return domain


def _parse_mapping(check: _Checker, key: str, raw: Any, *, blank_values: bool = False) -> dict[str, str]:
    """A table of column name -> non-empty string (``blank_values``: whitespace-only values allowed)."""
    table = check.table(key, raw)
    check.strings(f"{key} keys", list(table))
    out = {}
    for k, v in table.items():
        out[k] = check.string(f"{key}.{k}", v, allow_empty=blank_values)
        if not out[k]:
            raise check.fail(f"{key}.{k}", "must not be empty", k)
    return out


def _parse_dataset(check: _Checker, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the [dataset] keys (also used for overrides) into DatasetSpec keyword arguments."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        label = f"dataset.{key}"
        if key == "name":
            out[key] = check.name(label, value)
        elif key in ("title", "subject_id"):
            out[key] = check.string(label, value).strip()
        elif key in ("use_columns", "sensitive_zeros"):
            out[key] = check.strings(label, value)
        elif key == "delimiter":
            out[key] = check.delimiter(label, value)
        elif key == "encoding":
            out[key] = check.encoding(label, value)
        elif key in ("max_categories", "max_values", "max_input_bytes", "max_columns", "max_combinations"):
            out[key] = check.integer(label, value, 1)
        elif key == "record_limit":
            out[key] = check.integer(label, value, 0)
        elif key == "max_records":
            out[key] = check.integer(label, value, 2)
        elif key == "column_labels":
            out[key] = MappingProxyType(_parse_mapping(check, label, value))
        else:
            check.known_keys("dataset", {key: value}, _DATASET_KEYS)
    return out


def _parse_max_values(check: _Checker, raw: Any) -> dict[str, int]:
    """The ``[max_values]`` table: multi-value column name -> integer >= 1."""
    table = check.table("[max_values]", raw)
    check.strings("[max_values] keys", list(table))
    return {col: check.integer(f"[max_values].{col}", m, 1) for col, m in table.items()}


def _check_roles(spec: DatasetSpec) -> None:
    """A column has at most one role: subject id, multi-value or binned; ``[max_values]`` names multi-value columns."""
    multi = {column_key(c) for c in spec.multi_value}
    for col in spec.column_max_values:
        if column_key(col) not in multi:
            raise spec.error(
                f"[max_values].{col}: {col!r} is not a multi-value column (declare it in [multi_value])", col
            )
    binned = {column_key(c): c for c in spec.bins}
    for col in spec.multi_value:
        if column_key(col) in binned:
            raise spec.error(f"column {col!r} is both multi-value and binned; pick one", col)
    if spec.subject_id:
        sid = column_key(spec.subject_id)
        for key, names in (
            ("dataset.use_columns", spec.use_columns),
            ("multi_value", spec.multi_value),
            ("bins", spec.bins),
        ):
            if any(column_key(c) == sid for c in names):
                # Deviation from the reference core (which would treat it as an ordinary column): publishing
                # subject ids would defeat the purpose, so the id column can never be an attribute.
                raise spec.error(
                    f"{key} names the subject id column {spec.subject_id!r}; the id is never published as an attribute",
                    spec.subject_id,
                )


def _check_domains(spec: DatasetSpec) -> None:
    """A declared domain must fit its column's role: not the subject id nor a binned column (whose bin labels
    are its domain), no value holding the column's multi-value delimiter, no "0" unless it is a sensitive zero.
    """
    binned = {column_key(c) for c in spec.bins}
    delimiters = {column_key(c): d for c, d in spec.multi_value.items()}
    zeros = {column_key(c) for c in spec.sensitive_zeros}
    for col, domain in spec.domains.items():
        key = column_key(col)
        if key in binned:
            raise spec.error(f"[domains] {col}: the column is binned, its bin labels are its domain; remove it", col)
        if spec.subject_id and key == column_key(spec.subject_id):
            raise spec.error(f"[domains] {col}: names the subject id column; the id is never an attribute", col)
        delimiter = delimiters.get(key)
        for value in domain.values:
            if delimiter is not None and delimiter in value:
                raise spec.error(
                    f"[domains] {col}: {value!r} holds the column's multi-value delimiter {delimiter!r}; "
                    "declare the single values, not sets",
                    col,
                )
            if value == "0" and key not in zeros:
                raise spec.error(
                    f"[domains] {col}: '0' means absent in this column; list the column in dataset.sensitive_zeros "
                    "or drop '0' from the domain",
                    col,
                )


def _check_null_tokens(spec: DatasetSpec) -> None:
    """A null token "0" with its own bin needs the column among the sensitive zeros (else "0" is absent anyway)."""
    zeros = {column_key(c) for c in spec.sensitive_zeros}
    for col, bins in spec.bins.items():
        if bins.null_bin is not None and "0" in bins.null and column_key(col) not in zeros:
            raise spec.error(
                f"[bins.{col}] null: '0' means absent in this column, so it can never reach null_bin "
                f"{bins.null_bin!r}; list the column in dataset.sensitive_zeros or drop '0' from null",
                col,
            )


def load_spec(
    path: Path | None = None,
    *,
    subject_id: str | None = None,
    use_columns: list[str] | None = None,
    multi_value: Mapping[str, str] | None = None,
    sensitive_zeros: list[str] | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    record_limit: int | None = None,
    name: str | None = None,
) -> DatasetSpec:
    """Load a spec from a TOML file (or none) and apply command-line overrides.

    An override that is not None replaces the file's value; ``multi_value`` entries are merged over the
    file's table (a command-line delimiter wins for the same column).
    """
    kwargs: dict[str, Any] = {}
    source = COMMAND_LINE
    if path is not None:
        source = str(path)
        check = _Checker(source)
        try:
            raw = tomllib.loads(read_capped(Path(path), MAX_SPEC_BYTES, source, "spec file").decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read spec file: {exc}", file=source) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", file=source) from None
        except RecursionError:
            raise InputError("invalid TOML: nested too deeply", file=source) from None
        check.known_keys("", raw, _TABLES)
        kwargs.update(_parse_dataset(check, check.table("[dataset]", raw.get("dataset", {}))))
        if "multi_value" in raw:
            kwargs["multi_value"] = _parse_mapping(check, "[multi_value]", raw["multi_value"], blank_values=True)
        if "max_values" in raw:
            kwargs["column_max_values"] = MappingProxyType(_parse_max_values(check, raw["max_values"]))
        bins = check.table("[bins]", raw.get("bins", {}))
        check.strings("[bins] keys", list(bins))
        kwargs["bins"] = MappingProxyType(
            {check.string("[bins] key", col): _parse_bin(check, col, b) for col, b in bins.items()}
        )
        domains = check.table("[domains]", raw.get("domains", {}))
        check.strings("[domains] keys", list(domains))
        kwargs["domains"] = MappingProxyType({col: _parse_domain(check, col, d) for col, d in domains.items()})
    overrides = {
        k: v
        for k, v in dict(
            subject_id=subject_id,
            use_columns=use_columns,
            sensitive_zeros=sensitive_zeros,
            delimiter=delimiter,
            encoding=encoding,
            record_limit=record_limit,
            name=name,
        ).items()
        if v is not None
    }
    cli = _Checker(COMMAND_LINE)
    kwargs.update(_parse_dataset(cli, overrides))
    merged = dict(kwargs.get("multi_value", {}))
    if multi_value:
        for col, delim in _parse_mapping(cli, "multi_value", dict(multi_value), blank_values=True).items():
            merged = {c: d for c, d in merged.items() if column_key(c) != column_key(col)}
            merged[col] = delim
    kwargs["multi_value"] = MappingProxyType(merged)
    spec = DatasetSpec(source=source, **kwargs)
    _check_roles(spec)
    _check_domains(spec)
    _check_null_tokens(spec)
    return spec


# ---------------------------------------------------------------------------------------------- writing


def _toml_value(value: Any) -> str:
    """A TOML literal for a string, number, bool or list of them (JSON string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("NaN has no place in a dataset spec")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML literal for {type(value).__name__}")


def spec_toml(doc: Mapping[str, Any]) -> str:
    """A spec document (``{"dataset": {...}, "multi_value": {...}, "bins": {col: {...}}, ...}``) as TOML text.

    Tables nest at most two levels, as in a spec; :func:`load_spec` reads the text back to the same document.
    """
    lines: list[str] = []

    def table(header: str, body: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in body.items() if not isinstance(v, Mapping)}
        if scalars or not body:
            lines.append(f"[{header}]")
            lines.extend(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in scalars.items())
            lines.append("")
        for key, sub in body.items():
            if isinstance(sub, Mapping):
                table(f"{header}.{json.dumps(key)}", sub)

    for name, body in doc.items():
        table(name, body)
    return "\n".join(lines)
