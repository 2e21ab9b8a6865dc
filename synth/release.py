"""Release bundles: written completely in a temporary folder, then switched in atomically.

Layout and file contents are specified in ``docs/release-format.md``. A reader resolves the ``current``
symlink once and then reads only inside that immutable folder, so it never sees half a release. A crash
at any moment leaves the previous ``current`` live and intact: the new folder is renamed into place only
when complete, and ``current`` is replaced by ``os.replace`` of a fresh symlink (atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from synth.formulas import write_csv
from synth.release_format import (
    CURRENT,
    METADATA,
    RELEASES,
    TMP_PREFIX,
    FileInfo,
    ReleaseMetadata,
    ReleaseSummary,
)

LOG = logging.getLogger(__name__)


def new_release_id(dataset: str, now: datetime) -> str:
    """``<dataset>-<YYYYmmddTHHMMSSZ>-<6 hex>``: sortable by time, unique across quick successive runs."""
    return f"{dataset}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=False, default=json_default), encoding="utf-8")


def json_default(value: object) -> object:
    """numpy scalars and arrays to plain JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def write_release(
    data_dir: Path, metadata: ReleaseMetadata, *, tables: dict[str, pd.DataFrame], documents: dict[str, dict]
) -> Path:
    """Write the release ``metadata.release_id`` and make it ``current``; returns the final folder.

    ``tables`` maps file names to frames (``.parquet`` or ``.csv`` by extension), ``documents`` maps file
    names to JSON documents. ``metadata.files`` is replaced by the sha256 and size of every written file,
    and ``metadata.json`` is written last. On any error the temporary folder is removed and ``current``
    is untouched.
    """
    with _installing(Path(data_dir), metadata.release_id) as tmp:
        for name, frame in tables.items():
            _write_table(tmp / name, frame)
        for name, doc in documents.items():
            _write_json(tmp / name, doc)
        files = {}
        for path in sorted(tmp.iterdir()):
            _fsync_file(path)
            files[path.name] = FileInfo(sha256=sha256_file(path), bytes=path.stat().st_size)
        _write_json(tmp / METADATA, replace(metadata, files=files).to_json())
        _fsync_file(tmp / METADATA)
    return Path(data_dir) / RELEASES / metadata.release_id


@contextmanager
def _installing(data_dir: Path, release_id: str) -> Iterator[Path]:
    """A temporary folder to fill with release ``release_id``; once filled, renamed into place and made
    ``current``. On any error the temporary folder is removed and ``current`` is untouched."""
    releases = data_dir / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    tmp = releases / f"{TMP_PREFIX}{release_id}"
    final = releases / release_id
    if final.exists():
        raise FileExistsError(f"release {release_id} already exists")
    tmp.mkdir()
    try:
        yield tmp
        os.rename(tmp, final)
        _fsync_dir(releases)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    switch_current(data_dir, final)


def copy_release(release: Path, data_dir: Path) -> Path:
    """Copy a complete release folder (e.g. a staged run) into ``data_dir`` and make it ``current``.

    The checksums are verified first (ValueError naming the bad files); the copy is written to a temporary
    folder and renamed, so readers see the old release or the whole new one.
    """
    bad = verify_release(release)
    if bad:
        raise ValueError(f"release {release.name} is damaged: {', '.join(bad)}")
    with _installing(Path(data_dir), release.name) as tmp:
        shutil.copytree(release, tmp, dirs_exist_ok=True)
        for path in tmp.iterdir():
            _fsync_file(path)
    return Path(data_dir) / RELEASES / release.name


def _write_table(path: Path, frame: pd.DataFrame) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".csv":
        write_csv(frame, path)
    else:
        raise ValueError(f"unsupported table format: {path.name}")


def switch_current(data_dir: Path, release: Path) -> None:
    """Point ``current`` at ``release`` atomically (a relative symlink, replaced in one rename)."""
    link = data_dir / CURRENT
    tmp_link = data_dir / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(4)}"
    os.symlink(Path(RELEASES) / release.name, tmp_link)
    os.replace(tmp_link, link)
    _fsync_dir(data_dir)


def current_release(data_dir: Path) -> Path | None:
    """The folder ``current`` points to, or None when there is no release yet."""
    link = Path(data_dir) / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / METADATA).is_file() else None


def read_metadata(release: Path) -> ReleaseMetadata:
    """The checked ``metadata.json`` of a release folder (ReleaseFormatError when it does not conform)."""
    return ReleaseMetadata.from_json(json.loads((release / METADATA).read_text(encoding="utf-8")))


def verify_release(release: Path) -> list[str]:
    """Names of files whose checksum or size differs from ``metadata.json`` (empty when intact)."""
    bad = []
    for name, info in read_metadata(release).files.items():
        path = release / name
        if not path.is_file() or path.stat().st_size != info.bytes or sha256_file(path) != info.sha256:
            bad.append(name)
    return bad


def list_releases(data_dir: Path) -> list[ReleaseSummary]:
    """Published releases (complete, readable folders only), oldest first."""
    folder = Path(data_dir) / RELEASES
    out = []
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name.startswith(TMP_PREFIX) or not (path / METADATA).is_file():
                continue
            try:
                out.append(ReleaseSummary.of(read_metadata(path)))
            except (ValueError, OSError) as exc:  # ReleaseFormatError and JSONDecodeError are ValueErrors
                LOG.warning("release %s not listed: %s", path.name, exc)
    return sorted(out, key=lambda r: r.created_at)


def remove_stale_temporaries(data_dir: Path) -> list[str]:
    """Delete half-written folders and links left by an interrupted refresh; returns their names."""
    removed = []
    for parent in (Path(data_dir), Path(data_dir) / RELEASES):
        if not parent.is_dir():
            continue
        for path in parent.iterdir():
            if path.name.startswith(TMP_PREFIX):
                if path.is_symlink() or path.is_file():
                    path.unlink()
                else:
                    shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
    return removed


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
