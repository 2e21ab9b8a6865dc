"""Exclusive file locks so that two refreshes never interleave: non-blocking, or waiting a bounded time."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synth.errors import InputError

#: Seconds between two attempts while waiting for a lock.
RETRY = 0.05


@contextmanager
def exclusive(path: Path, what: str, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed); if another process holds it, try again for up to
    ``wait`` seconds (a holder that is ending), then fail with a one-line InputError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    with open(path, "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise InputError(
                        f"another {what} is running ({path} is locked); try again when it has finished"
                    ) from None
                time.sleep(RETRY)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
