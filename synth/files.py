"""Reading an input file whole, refused with one clear line when it is missing, not a file, or too large."""

from __future__ import annotations

import stat
from pathlib import Path

from synth.errors import InputError


def read_capped(path: Path, limit: int, file: str, what: str) -> bytes:
    """The bytes of the regular file ``path``; InputError (naming ``file``) when it is missing, a directory or
    another non-regular file (a device such as /dev/zero, a FIFO), unreadable, or larger than ``limit`` bytes.

    The size is checked before reading and the read itself stops after ``limit`` bytes, so a file that grows
    meanwhile is refused too.
    """
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=file) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", file=file) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{what} is a directory, not a file", file=file)
    if not stat.S_ISREG(mode):
        raise InputError(f"{what} is not a regular file (a device, pipe or socket)", file=file)
    too_large = InputError(f"{what} is larger than the limit of {limit:,} bytes", file=file)
    if Path(path).stat().st_size > limit:
        raise too_large
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", file=file) from None
    if len(data) > limit:
        raise too_large
    return data
