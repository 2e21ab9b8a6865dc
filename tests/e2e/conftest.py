"""Browser tests in headless Debian Chromium (never ``playwright install``), against a live local app."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.config import Settings
from tests.conftest import SHARED_DATA
from tests.dashboard.release_factory import build_release

REPO = Path(__file__).resolve().parents[2]
CTDC_SPEC = REPO / "specs" / "ctdc_vp.toml"

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOCAL_PREFIXES = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")


def pytest_collection_modifyitems(items):
    if CHROMIUM is None:
        skip = pytest.mark.skip(reason="chromium not installed (CI installs it with apt)")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "accept_downloads": True}


def _serve(data_dir: Path) -> Iterator[str]:
    """The app over the releases in ``data_dir`` on a free loopback port, for as long as the generator lives."""
    app = create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> Iterator[str]:
    data_dir: Path = tmp_path_factory.mktemp("e2e-data")
    build_release(data_dir)
    yield from _serve(data_dir)


def _published(root: Path, *command: str) -> Path:
    """The data folder of a release published by ``python -m synth <command>`` into ``root``."""
    folders = ["--data-dir", str(root / "data"), "--private-dir", str(root / "private")]
    subprocess.run([sys.executable, "-m", "synth", *command, *folders], check=True, capture_output=True, cwd=REPO)
    return root / "data"


@pytest.fixture(scope="session")
def sample_url(tmp_path_factory) -> Iterator[str]:
    """The app over the sample release as a newcomer publishes it (``python -m synth demo``, 20k victims)."""
    yield from _serve(_published(tmp_path_factory.mktemp("e2e-sample"), "demo"))


@pytest.fixture(scope="session")
def ctdc_url(tmp_path_factory) -> Iterator[str]:
    """The app over a release of the CTDC VP file, published once per session as the README says (the shipped
    spec, ``python -m synth refresh``; ~4 s); skips when ``../shared/data`` does not hold the file."""
    source = SHARED_DATA / "CTDC_VPsynthetic_condensed.csv"
    if not source.is_file():
        pytest.skip(f"{source.name} is not in {SHARED_DATA}")
    root: Path = tmp_path_factory.mktemp("e2e-ctdc")
    yield from _serve(_published(root, "refresh", "--input", str(source), "--spec", str(CTDC_SPEC)))


class Guard:
    """Collects console errors, page errors and requests leaving loopback."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", lambda req: None if req.url.startswith(LOCAL_PREFIXES) else self.external.append(req.url))

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.external == [], self.external


@pytest.fixture
def guard(page) -> Guard:
    return Guard(page)
