"""The public view of a DP run: only what survived DP may be named in a release.

The encoded schema of the private input lists every value seen there, including values seen once, and an
expanded multi-value column's *name* carries a value (``perpRole_Smuggler``). Before anything is written,
the schema is cut down to the attributes that survived as DP 1-combinations; combinations and synthetic
cells that mention anything else are dropped. Every value of a declared column (a public domain) survives,
with a DP 1-count that may be 0, so such columns keep all their values and their ``declared`` flag.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from synth import release_format as fmt
from synth.aggregates import Aggregates
from synth.combos import pack
from synth.encode import ABSENT, Encoded, Schema


def public_schema(agg: Aggregates) -> tuple[Schema, np.ndarray]:
    """Schema restricted to attributes with a published 1-count, and the old -> new attribute id map (-1 = dropped).

    Columns left without any value are dropped.
    """
    survivors = np.zeros(agg.schema.n_attrs, dtype=bool)
    survivors[agg.keys[1]] = True
    columns, remap, next_id = [], np.full(agg.schema.n_attrs, -1, dtype=np.int64), 0
    for ci, col in enumerate(agg.schema.columns):
        start = int(agg.schema.offsets[ci])
        kept = [i for i in range(len(col.values)) if survivors[start + i]]
        if not kept:
            continue
        columns.append(replace(col, values=tuple(col.values[i] for i in kept)))
        for i in kept:
            remap[start + i] = next_id
            next_id += 1
    return Schema(tuple(columns)), remap


def restrict_aggregates(agg: Aggregates, schema: Schema, remap: np.ndarray) -> Aggregates:
    """Re-key ``agg`` on the public schema, dropping combinations that mention a dropped attribute."""
    keys, counts = {}, {}
    for length in agg.lengths():
        combos = remap[agg.combos(length)]
        keep = (combos >= 0).all(axis=1)
        new_keys = pack(combos[keep], schema.n_attrs)
        order = np.argsort(new_keys, kind="stable")
        keys[length], counts[length] = new_keys[order], agg.counts[length][keep][order]
    return Aggregates(schema, agg.reporting_length, keys, counts, agg.n_records)


def lift_aggregates(agg: Aggregates, private: Schema, remap: np.ndarray) -> Aggregates:
    """Re-key aggregates on the public schema onto the private schema (the inverse of :func:`restrict_aggregates`)."""
    inverse = np.flatnonzero(remap >= 0)
    keys, counts = {}, {}
    for length in agg.lengths():
        old_keys = pack(inverse[agg.combos(length)], private.n_attrs)
        order = np.argsort(old_keys, kind="stable")
        keys[length], counts[length] = old_keys[order], agg.counts[length][order]
    return Aggregates(private, agg.reporting_length, keys, counts, agg.n_records)


def restrict_records(data: Encoded, schema: Schema, remap: np.ndarray) -> Encoded:
    """Re-encode records on the public schema; cells holding a dropped attribute become absent."""
    attrs = data.attributes()
    new_attrs = np.where(attrs >= 0, remap[np.maximum(attrs, 0)], ABSENT)
    old_col_of_new = {c.name: j for j, c in enumerate(data.schema.columns)}
    codes = np.full((data.n_records, len(schema.columns)), ABSENT, dtype=np.int32)
    for j, col in enumerate(schema.columns):
        cell = new_attrs[:, old_col_of_new[col.name]]
        codes[:, j] = np.where(cell >= 0, cell - schema.offsets[j], ABSENT)
    return Encoded(schema, codes)


def aggregates_table(agg: Aggregates, noise_sd: list[float]) -> pd.DataFrame:
    """The ``aggregates.parquet`` table: combination, length, count, sd, one column per schema column."""
    frame = agg.to_frame()
    frame.insert(3, fmt.SD, np.asarray(noise_sd, dtype=float)[frame[fmt.LENGTH].to_numpy() - 1])
    return frame


def synthetic_tables(data: Encoded) -> dict[str, pd.DataFrame]:
    """Wide (expanded) records, condensed records (multi-value columns joined) and the long format."""
    wide = data.to_frame()
    condensed = pd.DataFrame(index=wide.index)
    for col in data.schema.columns:
        if not col.multi_value:
            condensed[col.source] = wide[col.name]
            continue
        flag = np.where(wide[col.name].to_numpy() != "", col.attribute_name, "")
        if col.source in condensed:
            prev = condensed[col.source].to_numpy()
            condensed[col.source] = np.where((prev != "") & (flag != ""), prev + col.delimiter + flag, prev + flag)
        else:
            condensed[col.source] = flag
    rows, cols = np.nonzero(data.codes >= 0)
    names = np.array(data.schema.names, dtype=object)
    values = wide.to_numpy()[rows, cols]
    long = pd.DataFrame({"Id": rows, "Attribute": names[cols], "Value": values})
    long["AttributeValue"] = long["Attribute"] + ":" + long["Value"]
    return {"wide": wide.replace("", None), "condensed": condensed, "long": long}
