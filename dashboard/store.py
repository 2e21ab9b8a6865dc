"""Loading a published release into query-ready arrays, and following the ``current`` release.

Everything the pages need is precomputed once per release: the synthetic records as one small integer
code array per column (value index, -1 = absent), and the published DP aggregates as sorted packed
combination keys per length (the shared :mod:`synth.combos` encoding) with their counts and noise sd.
Only the release folder is read; the private input is never visible to the dashboard.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dashboard.memo import Memo
from synth import release_format as fmt
from synth.combos import check_packable, pack
from synth.encode import ABSENT, Schema
from synth.release import current_release, list_releases, read_metadata, verify_release
from synth.release_format import DatasetInfo, PrivacyInfo, ReleaseMetadata, ReleaseSummary

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dimension:
    """A chartable variable: one source column seen as a list of attributes.

    For an ordinary column every value is an attribute of that column; for a multi-value source every
    expanded column ``{source}_{value}`` contributes its single value. ``columns[i]``/``codes[i]`` locate
    value i in the encoded table, ``attrs[i]`` is its attribute id.
    """

    key: str
    label: str
    values: tuple[str, ...]
    columns: tuple[int, ...]
    codes: tuple[int, ...]
    attrs: tuple[int, ...]
    multi_value: bool

    def index(self, value: str) -> int:
        """Position of ``value``; ValueError when unknown."""
        return self.values.index(value)


@dataclass
class Release:
    """One immutable release, loaded. Build with :func:`load_release`."""

    path: Path
    metadata: ReleaseMetadata
    schema: Schema
    dimensions: dict[str, Dimension]
    columns: list[np.ndarray]
    agg_keys: dict[int, np.ndarray]
    agg_counts: dict[int, np.ndarray]
    agg_sd: dict[int, np.ndarray]
    memo: Memo = field(default_factory=Memo, repr=False, compare=False)

    def __repr__(self) -> str:
        """Short: the release id (not the arrays)."""
        return f"Release({self.release_id!r})"

    @property
    def release_id(self) -> str:
        return self.metadata.release_id

    @property
    def dataset(self) -> DatasetInfo:
        return self.metadata.dataset

    @property
    def privacy(self) -> PrivacyInfo:
        return self.metadata.privacy

    @property
    def reporting_length(self) -> int:
        return int(self.privacy.reporting_length)

    @property
    def protected_records(self) -> int:
        return int(self.privacy.protected_number_of_records)

    @property
    def n_synthetic(self) -> int:
        return int(self.columns[0].size) if self.columns else 0

    @property
    def base(self) -> int:
        return self.schema.n_attrs

    def noise_sd(self, length: int) -> float | None:
        """Noise sd of combinations of ``length`` as published in the metadata (None if unknown)."""
        return self.privacy.noise_sd_of(length)

    @cached_property
    def evaluation(self) -> dict:
        """The public evaluation report, or an empty dict when the release has none."""
        path = self.path / fmt.EVALUATION
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def attribute(self, source: str, value: str) -> int:
        """Attribute id of ``source:value`` (multi-value: the expanded column); KeyError/ValueError if unknown."""
        dim = self.dimensions[source]
        return dim.attrs[dim.index(value)]

    def attr_location(self, attr: int) -> tuple[int, int]:
        """(encoded column index, value code) of an attribute id."""
        col = int(self.schema.attr_column[attr])
        return col, attr - int(self.schema.offsets[col])


def _schema_from_metadata(meta: ReleaseMetadata) -> tuple[Schema, dict[str, str]]:
    """The synth Schema of the release and the metadata label of every encoded column."""
    cols = meta.schema.columns
    labels = {c.name: c.label or c.name for c in cols}
    return Schema.from_dict([asdict(c) for c in cols]), labels


def _dimensions(schema: Schema, labels: dict[str, str]) -> dict[str, Dimension]:
    """One Dimension per source column, in schema order."""
    groups: dict[str, list[int]] = {}
    for j, col in enumerate(schema.columns):
        groups.setdefault(col.source, []).append(j)
    dims = {}
    for source, idx in groups.items():
        first = schema.columns[idx[0]]
        if first.multi_value:
            values = tuple(schema.columns[j].attribute_name for j in idx)
            cols, codes = tuple(idx), tuple(0 for _ in idx)
            label = labels.get(source) or source
        else:
            values = first.values
            cols, codes = tuple(idx[0] for _ in values), tuple(range(len(values)))
            label = labels.get(first.name, source)
        attrs = tuple(int(schema.offsets[c]) + k for c, k in zip(cols, codes, strict=False))
        dims[source] = Dimension(source, label, values, cols, codes, attrs, first.multi_value)
    return dims


def _smallest_int(n_values: int) -> type:
    return np.int8 if n_values < 127 else np.int16 if n_values < 32767 else np.int32


def encode_arrow_column(array: pa.ChunkedArray, values: tuple[str, ...]) -> np.ndarray:
    """Value codes of a string column (index into ``values``, ABSENT for null, "" or unknown values).

    Dictionary-encodes in Arrow, then maps the (few) distinct strings: fast on millions of rows.
    """
    dtype = _smallest_int(len(values))
    encoded = pc.dictionary_encode(array.cast(pa.string())).combine_chunks()
    dictionary = encoded.dictionary.to_pylist()
    index = {v: i for i, v in enumerate(values)}
    mapping: np.ndarray = np.array([index.get(v, ABSENT) for v in dictionary] + [ABSENT], dtype=dtype)
    indices = encoded.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False)
    return mapping[indices]


def _encode_synthetic(path: Path, schema: Schema) -> list[np.ndarray]:
    table = pq.read_table(path, columns=[c.name for c in schema.columns])
    return [encode_arrow_column(table.column(c.name), c.values) for c in schema.columns]


def _encode_aggregates(path: Path, schema: Schema) -> tuple[dict, dict, dict]:
    """Published combinations as sorted packed keys per length, with counts and sd aligned."""
    table = pq.read_table(path)
    lengths = table.column(fmt.LENGTH).to_numpy().astype(np.int64)
    counts = table.column(fmt.COUNT).to_numpy().astype(np.int64)
    sd = table.column(fmt.SD).to_numpy().astype(np.float64)
    attrs = np.full((table.num_rows, len(schema.columns)), ABSENT, dtype=np.int64)
    for j, col in enumerate(schema.columns):
        if col.name in table.column_names:
            codes = encode_arrow_column(table.column(col.name), col.values).astype(np.int64)
            attrs[:, j] = np.where(codes >= 0, codes + schema.offsets[j], ABSENT)
    valid = (attrs >= 0).sum(axis=1) == lengths  # drop rows naming a value outside the schema
    attrs = np.sort(attrs, axis=1)
    keys_by, counts_by, sd_by = {}, {}, {}
    for length in np.unique(lengths[valid]).tolist():
        rows = np.flatnonzero(valid & (lengths == length))
        check_packable(schema.n_attrs, length)
        keys = pack(attrs[rows][:, attrs.shape[1] - length :], schema.n_attrs)
        order = np.argsort(keys, kind="stable")
        keys_by[length], counts_by[length], sd_by[length] = keys[order], counts[rows][order], sd[rows][order]
    return keys_by, counts_by, sd_by


class ReleaseError(Exception):
    """A release folder that cannot be served (checksum mismatch, unreadable file)."""


def load_release(path: Path, verify: bool = True) -> Release:
    """Load a release folder (see docs/release-format.md) into a :class:`Release`.

    With ``verify``, every file's checksum is checked against ``metadata.json`` first.
    """
    path = Path(path)
    if verify and (bad := verify_release(path)):
        raise ReleaseError(f"release {path.name}: checksum mismatch in {', '.join(bad)}")
    meta = read_metadata(path)
    schema, labels = _schema_from_metadata(meta)
    keys, counts, sd = _encode_aggregates(path / fmt.AGGREGATES, schema)
    columns = _encode_synthetic(path / fmt.SYNTHETIC, schema)
    return Release(path, meta, schema, _dimensions(schema, labels), columns, keys, counts, sd)


class ReleaseStore:
    """Follows ``<data_dir>/current``: a new release is picked up on the next request, without restart.

    A page view stays on the release it was rendered with (:meth:`pinned`): the ``keep`` releases published
    last before the current one can be served, and stay loaded once replaced or asked for.
    """

    def __init__(self, data_dir: Path, recheck_seconds: float = 1.0, keep: int = 2) -> None:
        self.data_dir = Path(data_dir)
        self.recheck_seconds = recheck_seconds
        self.keep = keep
        self._release: Release | None = None
        self._recent: OrderedDict[str, Release] = OrderedDict()
        self._pinnable_ids: tuple[str, tuple[str, ...]] | None = None
        self._checked_at = -float("inf")
        self._lock = threading.Lock()

    def get(self) -> Release | None:
        """The current release (loaded once per release), or None when nothing is published yet.

        The ``current`` link is looked at most once per ``recheck_seconds`` while a release is loaded.
        """
        loaded = self._release
        now = time.monotonic()
        if loaded is not None and now - self._checked_at < self.recheck_seconds:
            return loaded
        target = current_release(self.data_dir)
        if target is None:
            return None
        if loaded is not None and loaded.path == target:
            self._checked_at = now
            return loaded
        with self._lock:
            self._checked_at = now
            if self._release is None or self._release.path != target:
                try:
                    loaded_before = self._recent.pop(target.name, None)
                    replaced = self._release
                    self._release = loaded_before if loaded_before is not None else load_release(target)
                    if replaced is not None:
                        self._remember(replaced)
                except Exception:
                    if self._release is None:
                        raise
                    LOG.exception("cannot load release %s; still serving %s", target.name, self._release.release_id)
            return self._release

    def pinned(self, release_id: str) -> Release | None:
        """The published release ``release_id`` (loaded from its folder if need be: any worker can serve any
        page view), or the current release when that one is no longer published or cannot be loaded."""
        current = self.get()
        if current is None or current.release_id == release_id:
            return current
        with self._lock:
            found = self._recent.get(release_id)
            if found is not None:
                self._recent.move_to_end(release_id)
                return found
        if release_id not in self._pinnable(current):
            return current
        try:
            found = load_release((self.data_dir / fmt.RELEASES / release_id).resolve())
        except Exception:
            LOG.exception("cannot load pinned release %s; serving %s", release_id, current.release_id)
            return current
        with self._lock:
            self._remember(found)
        return found

    def _pinnable(self, current: Release) -> tuple[str, ...]:
        """Ids of the releases a page view may still be on: the ``keep`` published before ``current`` (older
        ones, or made-up ids, get the current release: no client can make a worker load release after release).
        """
        cached = self._pinnable_ids
        if cached is None or cached[0] != current.release_id:
            ids = [r.release_id for r in list_releases(self.data_dir) if r.release_id != current.release_id]
            cached = self._pinnable_ids = (current.release_id, tuple(ids[-self.keep :] if self.keep else ()))
        return cached[1]

    def _remember(self, release: Release) -> None:
        """Keep ``release`` among the recent ones (caller holds the lock)."""
        self._recent[release.release_id] = release
        self._recent.move_to_end(release.release_id)
        while len(self._recent) > self.keep:
            self._recent.popitem(last=False)

    def history(self) -> list[ReleaseSummary]:
        """All published releases, oldest first: read once per current release (every release's metadata file)."""
        current = self.get()
        if current is None:
            return list_releases(self.data_dir)
        return current.memo("history", None, lambda: list_releases(self.data_dir))
