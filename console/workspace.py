"""Files of the private workspace the console may read: uploads, picking, runs. Nothing escapes it."""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path

INPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq")
UPLOADS, RUNS, SPECS = "uploads", "runs", "specs"
#: Folders of the workspace that never hold an input (release copies, reports, the console's own state).
SKIPPED = frozenset({"reports", RUNS, "cache"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class WorkspaceError(ValueError):
    """A file the console refuses: outside the workspace, a link, too big, or of the wrong type."""


def input_files(private_dir: Path) -> list[str]:
    """Input files under the private workspace, as relative paths (symlinks and hidden files skipped)."""
    root = Path(private_dir)
    found = []
    for folder, dirs, files in os.walk(root):  # os.walk does not follow symlinked folders
        rel = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith(".") and path.suffix.lower() in INPUT_SUFFIXES and not path.is_symlink():
                found.append(str(rel / name) if rel.parts else name)
    return found


def pick(private_dir: Path, relative: str) -> Path:
    """The workspace file ``relative`` names; only a name that :func:`input_files` lists is accepted."""
    if relative not in input_files(private_dir):
        raise WorkspaceError(f"{relative!r} is not an input file of the private workspace")
    path = (Path(private_dir) / relative).resolve()
    if Path(private_dir).resolve() not in path.parents:
        raise WorkspaceError(f"{relative!r} is outside the private workspace")
    return path


def data_url_bytes(contents: str, name: str, limit: int) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL, at most ``limit`` of them (WorkspaceError naming ``name``)."""
    _, sep, payload = (contents or "").partition(",")
    if not sep:
        raise WorkspaceError(f"{name}: empty upload")
    if len(payload) * 3 // 4 > limit + 3:  # refused before decoding
        raise WorkspaceError(f"{name}: too large (the limit is {limit / 2**20:g} MB)")
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error:
        raise WorkspaceError(f"{name}: the upload is not valid base64") from None
    if len(data) > limit:
        raise WorkspaceError(f"{name}: too large (the limit is {limit / 2**20:g} MB)")
    return data


def save_upload(private_dir: Path, workspace: Path, filename: str, contents: str, limit: int) -> str:
    """Store a ``dcc.Upload`` data URL in ``workspace/uploads``; returns its path relative to ``private_dir``.

    The name is reduced to a safe base name (no folders); the decoded size must be at most ``limit`` bytes.
    """
    name = _SAFE_NAME.sub("_", Path(filename or "").name).lstrip(".")
    if not name or Path(name).suffix.lower() not in INPUT_SUFFIXES:
        raise WorkspaceError(f"{filename!r}: upload a .csv, .tsv or .parquet file")
    data = data_url_bytes(contents, name, limit)
    folder = workspace / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    tmp = folder / f".{name}.{secrets.token_hex(4)}"
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return str(target.resolve().relative_to(Path(private_dir).resolve()))
