"""Content fingerprint of a private input, for the privacy-budget ledger (:mod:`synth.ledger`).

The fingerprint is ``sha256:`` + the SHA-256 of the table *as read* (step 1 of :mod:`synth.ingest`), put in
a canonical form: the header names compared as ingest compares them (trimmed, case-insensitive) and sorted,
every cell trimmed, each row the JSON list of its cells in that column order, the rows sorted. It therefore
does not change with the row order, the column order, the file format (CSV, TSV or Parquet whose cells read
as the same strings), the delimiter, the encoding, or the spec: it covers the whole file, before column
selection, record limit, subject join, binning and any subsampling, so two specs over the same file (or a
renamed copy of it) share it. Any changed, added or removed cell, row or column changes it.

It is a private value: it goes to the ledger in the private workspace, never to a release.
"""

from __future__ import annotations

import hashlib
import json

from synth.ingest.read import Table
from synth.spec import column_key


def content_fingerprint(table: Table) -> str:
    """``sha256:<hex>`` of the canonicalised table (see the module docstring)."""
    keys = [column_key(h) for h in table.header]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    digest = hashlib.sha256()
    digest.update(json.dumps([keys[i] for i in order], ensure_ascii=False).encode("utf-8"))
    digest.update(f"\n{len(table.frame)}\n".encode())
    cells = [table.frame.iloc[:, i].astype(str).str.strip().tolist() for i in order]
    for row in sorted(json.dumps(list(r), ensure_ascii=False) for r in zip(*cells, strict=True)):
        digest.update(row.encode("utf-8"))
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()
