"""3-way support of DP aggregates: which attribute triples were published, and how many of a record's are not.

Used by the raked-marginals synthesizer to keep fabricated 3-way combinations rare. Records here are
category matrices (one column per schema column, category ``len(values)`` = absent), as the synthesizer
works with; attribute ids and packed keys are those of :mod:`synth.encode` and :mod:`synth.combos`.
"""

from __future__ import annotations

import numpy as np

from synth.aggregates import Aggregates
from synth.combos import lookup, record_blocks
from synth.encode import ABSENT, Encoded, Schema

#: Largest key space (attributes**3) checked through a dense boolean table (64 MB) instead of a binary search.
DENSE_TRIPLES_MAX = 1 << 26
#: Candidate keys built at once by :meth:`TripleSupport.absent_with`.
ABSENT_WITH_BLOCK = 4_000_000


def to_encoded(codes: np.ndarray, schema: Schema) -> Encoded:
    """Category indices (absent = last) to an :class:`Encoded` table."""
    absent = np.array([len(c.values) for c in schema.columns])[None, :]
    return Encoded(schema, np.where(codes == absent, ABSENT, codes).astype(np.int32))


def from_encoded(data: Encoded) -> np.ndarray:
    """An :class:`Encoded` table to category indices (int64, absent = last): the inverse of :func:`to_encoded`."""
    absent = np.array([len(c.values) for c in data.schema.columns], np.int64)[None, :]
    return np.where(data.codes < 0, absent, data.codes.astype(np.int64))


class TripleSupport:
    """Membership test for the 3-combinations published in an :class:`Aggregates` (reporting length >= 3)."""

    def __init__(self, agg: Aggregates) -> None:
        self.schema = agg.schema
        self.base = agg.base
        self.keys = agg.keys[3] if agg.reporting_length >= 3 else np.zeros(0, np.int64)
        self.table = None
        if self.base**3 <= DENSE_TRIPLES_MAX:
            self.table = np.zeros(self.base**3, dtype=bool)
            self.table[self.keys] = True

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Boolean array: is each packed 3-key published."""
        return self.table[keys] if self.table is not None else lookup(self.keys, keys) >= 0

    def absent_counts(self, codes: np.ndarray) -> np.ndarray:
        """Per record, the number of its 3-combinations (of present cells) that are not published."""
        out = np.zeros(codes.shape[0], np.int64)
        for rid, keys in record_blocks(to_encoded(codes, self.schema), 3):
            out[rid] += keys.shape[1] - self.contains(keys).sum(axis=1)
        return out

    def absent_with(self, codes: np.ndarray, column: int, block: int = ABSENT_WITH_BLOCK) -> np.ndarray:
        """(records, categories of ``column``): unpublished 3-combinations each record would hold with that
        category in ``column`` (its other cells unchanged), counting only the triples that include ``column``
        (so the last, absent, category is always 0)."""
        size = len(self.schema.columns[column].values)
        out = np.zeros((codes.shape[0], size + 1), np.int64)
        if size == 0:
            return out
        others = to_encoded(codes, self.schema)
        others.codes[:, column] = ABSENT
        b = self.base
        cand = self.schema.offsets[column] + np.arange(size)
        start = int(self.schema.offsets[column])
        for rid, pair_keys in record_blocks(others, 2, block_keys=max(1, block // size)):
            first, second = pair_keys // b, pair_keys % b
            # Attribute ids increase with the column, so the candidate's place in the sorted triple (and so
            # its power of the base) is the same for every candidate of the column.
            before, after = start < first, start > second
            rest = np.where(before, pair_keys, np.where(after, pair_keys * b, first * (b * b) + second))
            weight = np.where(before, b * b, np.where(after, 1, b))
            keys = rest[:, :, None] + weight[:, :, None] * cand[None, None, :]
            out[rid, :size] = (~self.contains(keys)).sum(axis=1)
        return out
