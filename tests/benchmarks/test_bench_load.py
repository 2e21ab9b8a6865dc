"""The load benchmark: its mixed-release check, and a few seconds of it against gunicorn with one publication."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bench_load import Client, named_releases

ROOT = Path(__file__).resolve().parents[2]
S, R = "sample-20261201T175641Z-b70af6", "sample-20261201T180012Z-0a1b2c"


@pytest.mark.parametrize(
    "text,named",
    [
        (f"Synthetic records of release {S}", {S[-23:]}),
        (f"release {R} ... Release history ... {S}", {R[-23:]}),  # content of another release than S
        (f"Release {R} has been published since this page was opened. Release {S}", {S[-23:]}),
        ("no release named", set()),
    ],
)
def test_a_pinned_response_names_the_releases_outside_history_and_notice(text, named):
    assert named_releases(text) == named


def test_a_short_run_reports_every_figure_without_errors_or_mixed_views():
    pytest.importorskip("gunicorn")
    redis = ["--redis"] if shutil.which("redis-server") else []  # RedisCache when it can, else FileSystemCache
    args = ["--workers", "2", "--clients", "2", "--duration", "4", "--swap-every", "2", "--victims", "500"]
    proc = subprocess.run(
        [sys.executable, "benchmarks/bench_load.py", *args, "--rss-every", "2", *redis],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "errors: 0" in out and "mixed-release views: 0" in out, out
    assert "releases published during the run: 1 " in out
    assert int(re.search(r"page views: (\d+)", out).group(1)) > 0
    for kind in ("page", "callback", "api"):
        assert re.search(rf"^{kind} +\d+ ", out, re.M), out
    assert re.search(r"^  t= +\d+ s +\d+ +\d+$", out, re.M)  # RSS of both workers
    assert re.search(r"^CPU per request: \d+\.\d\d ms in the gunicorn workers, \d+\.\d\d ms in the clients", out, re.M)


def test_think_time_is_an_exponential_pause_of_that_mean_after_each_action(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    paced = Client("http://127.0.0.1:1", {}, seed=7, think=2.0)
    for _ in range(4000):
        paced.pause()
    mean, share_below_mean = float(np.mean(slept)), float(np.mean(np.array(slept) < 2.0))
    assert abs(mean - 2.0) < 0.1  # sd of the mean of 4,000 draws: 2 / sqrt(4000) = 0.03; the tolerance is 3 sd
    assert abs(share_below_mean - (1 - np.exp(-1))) < 0.025  # P(X < mean) of an exponential: 0.632
    slept.clear()
    Client("http://127.0.0.1:1", {}, seed=7).pause()
    assert slept == []  # no think time: saturation
