"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

#: Hypothesis profiles, one place for every fuzz test: "ci" (default; derandomized, so every run tries the same
#: inputs, in seconds) and "long" (random and deeper), chosen with ``pytest --hypothesis-profile=long``.
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", derandomize=True, max_examples=150, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("ci")

#: Data shared between checkouts (the CTDC files, benchmark inputs): ``../shared/data`` next to the repository.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    """``shared_data(name)`` is the path of a file in ``../shared/data``; it skips the test when the file is absent."""

    def path(name: str) -> Path:
        file = SHARED_DATA / name
        if not file.is_file():
            pytest.skip(f"{name} is not in {SHARED_DATA}")
        return file

    return path
