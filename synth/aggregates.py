"""Combination counts up to a reporting length: the container, exact counting and k-anonymity protection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import SupportsInt

import numpy as np
import pandas as pd

from synth import release_format as fmt
from synth.combos import count_keys, lookup, pack, record_blocks, unpack
from synth.encode import Encoded, Schema

COMBO_SEP = ";"
VALUE_SEP = ":"


@dataclass
class Aggregates:
    """Counts of attribute combinations of length 1..reporting_length.

    ``keys[l]`` holds the sorted packed keys of length-l combinations (see :mod:`synth.combos`) and
    ``counts[l]`` their counts. ``n_records`` is the record count that goes with the counts: exact for
    sensitive aggregates, the protected (noisy) count for DP aggregates.
    """

    schema: Schema
    reporting_length: int
    keys: dict[int, np.ndarray]
    counts: dict[int, np.ndarray]
    n_records: int

    @property
    def base(self) -> int:
        return self.schema.n_attrs

    def lengths(self) -> range:
        return range(1, self.reporting_length + 1)

    def combos(self, length: int) -> np.ndarray:
        """The length-l combinations as an (m, l) array of attribute ids."""
        return unpack(self.keys[length], self.base, length)

    def count(self, attrs: Iterable[SupportsInt]) -> int:
        """Count of one combination given as attribute ids (any order); 0 if absent or longer than R."""
        ids = sorted(int(a) for a in attrs)
        length = len(ids)
        if length == 0:
            return int(self.n_records)
        if length > self.reporting_length:
            return 0
        pos = lookup(self.keys[length], pack(np.array([ids]), self.base))[0]
        return int(self.counts[length][pos]) if pos >= 0 else 0

    def counts_for(self, length: int, keys: np.ndarray) -> np.ndarray:
        """Counts for packed keys of one length, 0 where absent."""
        pos = lookup(self.keys[length], keys)
        return np.where(pos >= 0, self.counts[length][np.maximum(pos, 0)], 0)

    def combination_strings(self, length: int) -> list[str]:
        """``col:value;col:value`` strings of the length-l combinations, in key order."""
        labels = [f"{c}{VALUE_SEP}{v}" for c, v in self.schema.attr_labels()]
        return [COMBO_SEP.join(labels[a] for a in row) for row in self.combos(length).tolist()]

    def to_frame(self) -> pd.DataFrame:
        """One row per combination: combination string, length, count, and one column per schema column.

        Rows are ordered by length, then count descending (as SDS's aggregate files).
        """
        names = self.schema.names
        frames = []
        for length in self.lengths():
            combos = self.combos(length)
            cols = {name: np.full(combos.shape[0], None, dtype=object) for name in names}
            attr_col = self.schema.attr_column
            labels = self.schema.attr_labels()
            for j in range(length):
                for i, a in enumerate(combos[:, j].tolist()):
                    cols[names[attr_col[a]]][i] = labels[a][1]
            frames.append(
                pd.DataFrame(
                    {
                        fmt.COMBINATION: self.combination_strings(length),
                        fmt.LENGTH: np.full(combos.shape[0], length, dtype=np.int8),
                        fmt.COUNT: self.counts[length],
                        **cols,
                    }
                )
            )
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return out.sort_values([fmt.LENGTH, fmt.COUNT], ascending=[True, False], kind="stable").reset_index(drop=True)


def aggregate(data: Encoded, reporting_length: int) -> Aggregates:
    """Exact counts of every combination of length 1..R present in ``data`` (R = 0 means all columns)."""
    n_cols = len(data.schema.columns)
    r = n_cols if reporting_length <= 0 else min(reporting_length, n_cols)
    keys, counts = {}, {}
    for length in range(1, r + 1):
        keys[length], counts[length] = count_keys(record_blocks(data, length))
    return Aggregates(data.schema, r, keys, counts, data.n_records)


def protect_k_anonymity(agg: Aggregates, k: int) -> Aggregates:
    """Round every count down to a multiple of k and drop zeros; the record count likewise."""
    keys, counts = {}, {}
    for length in agg.lengths():
        c = (agg.counts[length] // k) * k
        keep = c > 0
        keys[length], counts[length] = agg.keys[length][keep], c[keep]
    return Aggregates(agg.schema, agg.reporting_length, keys, counts, (agg.n_records // k) * k)
