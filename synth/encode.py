"""Integer encoding of a categorical table: the representation every algorithm in `synth` works on.

A table of strings (one row per subject, "" = absent) becomes a matrix of value codes, one column per
(expanded) column, -1 where the cell is absent. Every (column, value) pair is an *attribute* with a
global integer id: ``attr = offsets[column] + code``. Attribute ids therefore increase with the column
index, so a combination sorted by attribute id is also sorted by column. This is our canonical order
(SDS sorts by the string ``"{header}:{value}"``; ours is equivalent for lookups and cheaper).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ABSENT = -1


@dataclass(frozen=True)
class Column:
    """One categorical column after multi-value expansion.

    name: column name in the encoded table (for an expanded multi-value column, ``{source}_{value}``).
    source: the column of the input it comes from.
    values: the distinct values, codes index into it (sorted; binned columns keep bin order).
    multi_value: True for a binary column produced by expanding a multi-value column.
    delimiter: the multi-value delimiter of the source column (None for ordinary columns).
    declared: True when the source column's values are a public domain (declared in the spec's ``[domains]``,
      or the bin labels of a binned column): ``values`` then lists every declared value, present or not.
    """

    name: str
    source: str
    values: tuple[str, ...]
    multi_value: bool = False
    delimiter: str | None = None
    declared: bool = False

    @property
    def attribute_name(self) -> str:
        """For an expanded column, the value of the source column it stands for; else the name."""
        if self.multi_value:
            return self.name[len(self.source) + 1 :]
        return self.name


@dataclass(frozen=True)
class Schema:
    """Columns and the attribute numbering derived from them."""

    columns: tuple[Column, ...]
    offsets: np.ndarray = field(init=False, repr=False, compare=False)
    attr_column: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sizes = np.array([len(c.values) for c in self.columns], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if len(sizes) else np.zeros(0, np.int64)
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "attr_column", np.repeat(np.arange(len(sizes)), sizes).astype(np.int32))

    @property
    def n_attrs(self) -> int:
        return int(self.attr_column.size)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column_index(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == name:
                return i
        raise KeyError(name)

    def attr_id(self, column: str, value: str) -> int:
        """Attribute id of ``column:value``; KeyError if unknown."""
        ci = self.column_index(column)
        try:
            return int(self.offsets[ci]) + self.columns[ci].values.index(value)
        except ValueError:
            raise KeyError(f"{column}:{value}") from None

    def attr_label(self, attr: int) -> tuple[str, str]:
        """(column name, value) of an attribute id."""
        ci = int(self.attr_column[attr])
        return self.columns[ci].name, self.columns[ci].values[attr - int(self.offsets[ci])]

    def attr_labels(self) -> list[tuple[str, str]]:
        return [self.attr_label(a) for a in range(self.n_attrs)]

    def to_dict(self) -> list[dict]:
        return [
            {
                "name": c.name,
                "source": c.source,
                "values": list(c.values),
                "multi_value": c.multi_value,
                "delimiter": c.delimiter,
                "declared": c.declared,
            }
            for c in self.columns
        ]

    @classmethod
    def from_dict(cls, columns: list[dict]) -> Schema:
        return cls(
            tuple(
                Column(
                    d["name"],
                    d["source"],
                    tuple(d["values"]),
                    bool(d.get("multi_value")),
                    d.get("delimiter"),
                    bool(d.get("declared")),
                )
                for d in columns
            )
        )


@dataclass(frozen=True)
class Encoded:
    """A table as value codes: ``codes[i, j]`` is the code of row i in column j, or ABSENT."""

    schema: Schema
    codes: np.ndarray

    @property
    def n_records(self) -> int:
        return int(self.codes.shape[0])

    def attributes(self) -> np.ndarray:
        """Attribute ids as a matrix, ABSENT where the cell is absent."""
        return np.where(self.codes >= 0, self.codes + self.schema.offsets[None, :], ABSENT)

    def lengths(self) -> np.ndarray:
        """Number of non-empty attributes of every record."""
        return (self.codes >= 0).sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Back to strings ("" where absent), one column per encoded column."""
        out = {}
        for j, col in enumerate(self.schema.columns):
            lookup = np.array(list(col.values) + [""], dtype=object)
            out[col.name] = lookup[self.codes[:, j]]
        return pd.DataFrame(out)


def encode_frame(frame: pd.DataFrame, columns: list[Column] | None = None) -> Encoded:
    """Encode a frame of strings ("" = absent). Value sets are taken from the data unless ``columns`` is given.

    With ``columns`` given, a value outside a column's value set is encoded as ABSENT (used to re-encode
    synthetic records against a published schema).
    """
    if columns is None:
        columns = [
            Column(str(name), str(name), tuple(sorted(v for v in pd.unique(frame[name]) if v != "")))
            for name in frame.columns
        ]
    schema = Schema(tuple(columns))
    codes = np.full((len(frame), len(columns)), ABSENT, dtype=np.int32)
    for j, col in enumerate(columns):
        codes[:, j] = pd.Index(col.values, dtype=object).get_indexer(frame[col.name].to_numpy(dtype=object))
    return Encoded(schema, codes)
