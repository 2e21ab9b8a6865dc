"""Fixtures: a small hand-made release in a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.store import Release, load_release
from tests.dashboard.release_factory import build_release


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_release(tmp_path)
    return tmp_path


@pytest.fixture
def release(data_dir: Path) -> Release:
    from synth.release import current_release

    return load_release(current_release(data_dir))
