"""Exclusive file locks so that two refreshes never interleave: non-blocking, or waiting a bounded time."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synth.errors import InputError

#: Seconds between two attempts while waiting for a lock.
RETRY = 0.05


@contextmanager
def held(path: Path, wait: float = 0.0) -> Iterator[bool]:
    """Try to hold an exclusive lock on ``path`` (created 0600 if needed; its folder must exist), trying again
    for up to ``wait`` seconds while another process holds it; yields whether it is held. The kernel frees the
    lock when the holding process ends, however it ends."""
    deadline = time.monotonic() + wait
    with open(path, "a", opener=lambda name, flags: os.open(name, flags, 0o600)) as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(RETRY)
        try:
            yield True
        finally:  # explicit unlock: a process forked meanwhile shares the descriptor, not the lock
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def exclusive(path: Path, what: str, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed); if another process holds it, try again for up to
    ``wait`` seconds (a holder that is ending), then fail with a one-line InputError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with held(path, wait) as ok:
        if not ok:
            raise InputError(f"another {what} is running ({path} is locked); try again when it has finished")
        yield
