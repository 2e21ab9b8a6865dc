"""kill -9 during real refreshes: the previous release stays live and intact, nothing half-written is served,
no stale lock blocks the next refresh, and the ledger stays strict JSON and never under-counts.

Each kill waits for a refresh stage (reported through the progress callback) and then a seeded random delay,
so that the kills land in every stage, from reading the input to switching ``current``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from synth import release
from synth.ledger import LEDGER
from synth.locks import exclusive
from synth.refresh import LOCK
from tests.synth.test_refresh import SAMPLE_SPEC

KILLS = 5
#: Stages of synth.refresh (progress callback); "synthesis" is reported right after the ledger charge.
STAGES = ("reading the input", "counting and privacy-risk analysis", "DP aggregates", "synthesis", "writing")
CHARGED = "synthesis"
REFRESH = textwrap.dedent("""
    import sys
    from pathlib import Path
    from synth.dp import DpParams
    from synth.refresh import RefreshOptions, refresh
    root, stages = Path(sys.argv[1]), open(sys.argv[2], "a")
    def progress(stage, fraction):
        stages.write(stage + "\\n")
        stages.flush()
    options = RefreshOptions(input=root / "private" / "cases.csv", data_dir=root / "data",
                             private_dir=root / "private", spec=Path(sys.argv[3]),
                             budget_epsilon=1000.0)  # 7 charged runs of epsilon 4 exceed the default 20
    refresh(options, DpParams(), progress)
""")


def _strict(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"non-JSON constant {constant} in the ledger")

    return json.loads(text, parse_constant=refuse)


def _charged_ids(root: Path) -> list[str]:
    doc = _strict((root / "private" / LEDGER).read_text(encoding="utf-8"))
    return [entry["release_id"] for source in doc["sources"].values() for entry in source["entries"]]


def _wait_for(stages: Path, stage: str, proc: subprocess.Popen, seconds: float = 60.0) -> bool:
    """True once ``stage`` was reported; False if the refresh ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stage in stages.read_text().splitlines():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    raise AssertionError(f"refresh never reached {stage!r}")


def _assert_intact(root: Path, previous: Path) -> Path:
    """current is a complete, verified release (the previous one or a newer one); every release verifies."""
    data = root / "data"
    live = release.current_release(data)
    assert live is not None and not live.name.startswith(release.TMP_PREFIX)
    assert release.verify_release(live) == []
    assert live == previous or live.name > previous.name
    listed = [r.release_id for r in release.list_releases(data)]
    assert live.name in listed and previous.name in listed
    assert all(release.verify_release(data / release.RELEASES / rid) == [] for rid in listed)
    return live


@pytest.fixture
def refreshed(tmp_path):
    """A sample workspace with one release published by a complete refresh."""
    from synth.sample import generate_sample

    (tmp_path / "private").mkdir()
    generate_sample(n_victims=600, seed=5).to_csv(tmp_path / "private" / "cases.csv", index=False)
    _run_refresh(tmp_path, tmp_path / "stages-0.txt").wait(120)
    first = release.current_release(tmp_path / "data")
    assert first is not None
    return tmp_path, first


def _run_refresh(root: Path, stages: Path) -> subprocess.Popen:
    stages.touch()
    cwd = Path(__file__).resolve().parents[2]
    return subprocess.Popen(
        [sys.executable, "-c", REFRESH, str(root), str(stages), str(SAMPLE_SPEC)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_kill_9_at_random_points_of_real_refreshes(refreshed):
    root, live = refreshed
    rng = random.Random(20261201)
    charged = len(_charged_ids(root))
    landed = []
    for kill in range(1, KILLS + 1):
        stages = root / f"stages-{kill}.txt"
        proc = _run_refresh(root, stages)
        stage = STAGES[(kill - 1) % len(STAGES)]
        if _wait_for(stages, stage, proc):
            time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        reached = stages.read_text().splitlines()
        landed.append(reached[-1] if reached else "start")

        live = _assert_intact(root, live)
        ids = _charged_ids(root)
        # Never under-counted: a run that got past its DP noise is charged; every release was charged.
        assert len(ids) >= charged + (CHARGED in reached)
        assert {r.release_id for r in release.list_releases(root / "data")} <= set(ids)
        charged = len(ids)
        # No stale lock: a killed process's flock is gone with it.
        with exclusive(root / "private" / LOCK, "test"), exclusive(root / "data" / LOCK, "test"):
            pass

    assert len(set(landed)) >= 3, landed  # the kills landed in several stages
    after = _run_refresh(root, root / "stages-final.txt")
    assert after.wait(120) == 0
    final = _assert_intact(root, live)
    assert final != live
    assert not any(p.name.startswith(release.TMP_PREFIX) for p in (root / "data" / release.RELEASES).iterdir())
