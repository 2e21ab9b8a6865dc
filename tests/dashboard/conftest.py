"""Fixtures: a small hand-made release in a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.store import Release, load_release
from tests.dashboard.release_factory import build_release


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    build_release(tmp_path)
    return tmp_path


@pytest.fixture
def app(data_dir: Path):
    """The wired app over the hand-made release."""
    return create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture
def release(data_dir: Path) -> Release:
    from synth.release import current_release

    return load_release(current_release(data_dir))
