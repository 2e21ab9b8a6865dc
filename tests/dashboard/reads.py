"""Recording which files a piece of code reads, without strace: for tests that must hold even as root.

Python-level reads are seen through an audit hook (``open``, ``os.listdir``, ``os.scandir`` events); the
Parquet reads that pyarrow does natively are seen by wrapping ``pyarrow.parquet.read_table`` and
``ParquetFile``. Only the recording thread's reads count, so a server thread of another test cannot
interfere.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

AUDITED_EVENTS = ("open", "os.listdir", "os.scandir")
_recorders: dict[int, list[Path]] = {}
_hook_installed = False


def _record(paths: list[Path], source: object) -> None:
    """Note ``source`` if it names a file (file descriptors and file objects are not paths)."""
    if isinstance(source, str | bytes | os.PathLike):
        paths.append(Path(os.fsdecode(source)).resolve())


def _audit(event: str, args: tuple) -> None:
    recorder = _recorders.get(threading.get_ident())
    if recorder is not None and event in AUDITED_EVENTS and args:
        _record(recorder, args[0])


@contextmanager
def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Collect the resolved path of every file or folder the current thread opens or lists meanwhile."""
    global _hook_installed
    if not _hook_installed:  # audit hooks cannot be removed: one, idle unless a recorder is active
        sys.addaudithook(_audit)
        _hook_installed = True
    paths: list[Path] = []
    read_table, parquet_file = pq.read_table, pq.ParquetFile

    def recording_read_table(source, *args, **kwargs):
        _record(paths, source)
        return read_table(source, *args, **kwargs)

    class RecordingParquetFile(parquet_file):
        def __init__(self, source, *args, **kwargs) -> None:
            _record(paths, source)
            super().__init__(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", recording_read_table)
    monkeypatch.setattr(pq, "ParquetFile", RecordingParquetFile)
    _recorders[threading.get_ident()] = paths
    try:
        yield paths
    finally:
        del _recorders[threading.get_ident()]
        monkeypatch.setattr(pq, "read_table", read_table)
        monkeypatch.setattr(pq, "ParquetFile", parquet_file)
