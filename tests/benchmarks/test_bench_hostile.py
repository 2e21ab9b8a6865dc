"""The hostile-input census: how it classifies an example, and a few examples of every surface end to end."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from hypothesis import strategies as st

from benchmarks import bench_hostile
from benchmarks.bench_hostile import census, raw_request

ARGS = SimpleNamespace(seed=0, examples=6, seconds=60.0, timeout=0.5)


def test_each_example_is_counted_as_what_it_ended_as():
    def run(n: object) -> tuple[str, bool, str]:
        if n == 0:
            time.sleep(5)  # past the timeout: a hang, interrupted and counted
        if n == 1:
            raise KeyError("boom")  # out of the code under test: a crash
        return ("accepted" if n == 2 else "clean error"), n == 3, ""

    tally = census(st.sampled_from([0, 1, 2, 3, 4]), run, SimpleNamespace(**{**vars(ARGS), "examples": 40}))
    assert set(tally.outcomes) == {"hang", "crash", "accepted", "clean error"} and tally.tried <= 40
    assert tally.leaks == sum(1 for line in tally.examples if "leak" in line) >= 1
    assert any("KeyError: 'boom'" in line for line in tally.examples)
    assert tally.seconds < 30  # the hangs were cut at 0.5 s


def test_a_raw_path_is_sent_as_a_path_not_parsed_as_a_host():
    assert raw_request("//evil.example/x?a=1 2") == {"PATH_INFO": "//evil.example/x", "QUERY_STRING": "a=1%202"}
    assert raw_request("/é/%2e%2e")["PATH_INFO"] == "/\xc3\xa9/.."  # UTF-8 bytes as latin-1, %-escapes decoded


def test_a_short_census_of_every_surface(capsys):
    pytest.importorskip("hypothesis")
    code = bench_hostile.main(["--examples", "4", "--seconds", "60", "--timeout", "60"])
    out = capsys.readouterr().out
    for surface in ("bytes", "spec", "argv", "api", "callbacks", "urls (crawl)", "urls (generated)"):
        row = re.search(rf"^\| {re.escape(surface)} \| (\d+) \| (\d+) \| (\d+) \| 0 \| 0 \| (\d+|-) \|", out, re.M)
        assert row, out
        assert int(row.group(1)) == int(row.group(2)) + int(row.group(3)) > 0
    assert code == 0 and "| total |" in out
