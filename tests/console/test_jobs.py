"""Background jobs run at a lower CPU priority than the console's pages, once per process however many jobs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from console.jobs import JOB_NICE

SCRIPT = """
import os
from console.jobs import lower_priority
os.nice({extra})
print(os.getpriority(os.PRIO_PROCESS, 0), lower_priority(), lower_priority(), os.getpriority(os.PRIO_PROCESS, 0))
"""


@pytest.mark.parametrize("extra", [0, 15])
def test_a_job_process_is_made_at_least_job_nice_once_and_stays_so(extra):
    before = min(os.getpriority(os.PRIO_PROCESS, 0) + extra, 19)  # a child starts as nice as its parent
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(extra=extra)], capture_output=True, text=True, check=True
    )
    after = str(max(before, JOB_NICE))
    assert done.stdout.split() == [str(before), after, after, after]
