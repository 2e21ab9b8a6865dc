"""The console's background jobs (runs, risk analyses) yield the CPU to the pages: a lower scheduling priority."""

from __future__ import annotations

import os

#: The niceness of a job's process: a run competing with the console's pages for the CPU loses.
JOB_NICE = 10


def lower_priority(nice: int = JOB_NICE) -> int:
    """Make this process at least ``nice`` nice (idempotent: a Celery worker's process runs many jobs); returns
    the niceness now. Called first thing in every background callback, on either manager (Diskcache, Celery)."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    return os.getpriority(os.PRIO_PROCESS, 0)
