"""Attribute combinations as packed integer keys, and vectorised enumeration of a table's combinations.

A combination of length l is a sorted tuple of attribute ids (a_0 < ... < a_{l-1}). It is packed into one
int64 key ``sum a_i * B**(l-1-i)`` with base B = number of attributes, so that the keys of one length sort
in the same order as the tuples. Keys of different lengths live in separate arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import combinations

import numpy as np

from synth.encode import Encoded
from synth.errors import InputError

#: Upper bound on the number of keys materialised at once while enumerating (bounds memory to ~64 MB).
BLOCK_KEYS = 8_000_000


def check_packable(n_attrs: int, length: int) -> None:
    """Raise ValueError if combinations of ``length`` over ``n_attrs`` attributes do not fit an int64 key."""
    if length > 0 and max(n_attrs, 2) ** length >= 2**63:
        raise ValueError(
            f"{n_attrs} distinct attributes at reporting length {length} exceed the 64-bit combination key; "
            "lower the reporting length or bin/merge rare values"
        )


def pack(combos: np.ndarray, base: int) -> np.ndarray:
    """Pack an (m, l) array of sorted attribute ids into m int64 keys."""
    combos = np.asarray(combos, dtype=np.int64)
    keys = np.zeros(combos.shape[0], dtype=np.int64)
    for j in range(combos.shape[1]):
        keys = keys * base + combos[:, j]
    return keys


def unpack(keys: np.ndarray, base: int, length: int) -> np.ndarray:
    """Inverse of :func:`pack`: m keys to an (m, length) int64 array."""
    keys = np.asarray(keys, dtype=np.int64).copy()
    out = np.empty((keys.size, length), dtype=np.int64)
    for j in range(length - 1, -1, -1):
        out[:, j] = keys % base
        keys //= base
    return out


def lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each key in ``sorted_keys``, or -1 where absent."""
    if sorted_keys.size == 0:
        return np.full(np.shape(keys), -1, dtype=np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos_c = np.minimum(pos, sorted_keys.size - 1)
    return np.where(sorted_keys[pos_c] == keys, pos_c, -1)


def record_blocks(data: Encoded, length: int, block_keys: int = BLOCK_KEYS) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(record_ids, keys)`` blocks covering every length-``length`` combination of every record.

    ``keys`` has shape (len(record_ids), C(w, length)) where w is the number of non-empty attributes the
    block's records share, so **all** combinations of a record are in one row. Records with fewer than
    ``length`` attributes yield nothing. Blocks come in a deterministic order (by w, then record id).
    """
    base = data.schema.n_attrs
    check_packable(base, length)
    attrs = data.attributes()
    widths = (attrs >= 0).sum(axis=1)
    # Sorting each row puts ABSENT (-1) first; the record's attributes are then the last w entries.
    attrs = np.sort(attrs, axis=1)
    for w in np.unique(widths):
        if w < length:
            continue
        idx = np.array(list(combinations(range(w), length)), dtype=np.int64)
        rows = np.flatnonzero(widths == w)
        step = max(1, block_keys // len(idx))
        for start in range(0, rows.size, step):
            rid = rows[start : start + step]
            sub = attrs[rid][:, attrs.shape[1] - w :].astype(np.int64)
            keys = np.zeros((rid.size, len(idx)), dtype=np.int64)
            for j in range(length):
                keys = keys * base + sub[:, idx[:, j]]
            yield rid, keys


def count_keys(blocks: Iterator[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys and their counts over all blocks (each block reduced before merging)."""
    parts_k, parts_c = [], []
    for _, keys in blocks:
        k, c = np.unique(keys.ravel(), return_counts=True)
        parts_k.append(k)
        parts_c.append(c)
    if not parts_k:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = np.concatenate(parts_k)
    counts = np.concatenate(parts_c)
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inv, weights=counts, minlength=uniq.size).astype(np.int64)


def combination_count(widths: np.ndarray, reporting_length: int) -> int:
    """Sum over records of the number of their combinations of 1..R attributes: sum_r sum_l C(w_r, l)."""
    sizes, records = np.unique(np.asarray(widths, dtype=np.int64), return_counts=True)
    return sum(
        int(n) * sum(math.comb(int(w), l) for l in range(1, reporting_length + 1))
        for w, n in zip(sizes, records, strict=True)
    )


def check_cost(data: Encoded, reporting_length: int, limit: int) -> None:
    """Refuse (InputError, before any counting) an input whose combinations of up to R attributes number more
    than ``limit``, saying which reporting length would fit and how wide the records are."""
    widths = data.lengths()
    cost = combination_count(widths, reporting_length)
    if cost <= limit:
        return
    fits = max((r for r in range(1, reporting_length) if combination_count(widths, r) <= limit), default=0)
    lower = f"a reporting length of {fits} fits" if fits else "not even single attributes fit"
    raise InputError(
        f"counting would enumerate {cost:,} combinations of up to {reporting_length} attributes over "
        f"{widths.size:,} records of up to {int(widths.max(initial=0))} attributes "
        f"({len(data.schema.columns)} encoded columns), "
        f"more than dataset.max_combinations = {limit:,}; use fewer columns (--use-columns) or a lower "
        f"--reporting-length ({lower}), or raise dataset.max_combinations"
    )
