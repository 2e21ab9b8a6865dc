"""Browser tests in headless Debian Chromium (never ``playwright install``), against a live local app."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.config import Settings
from tests.dashboard.release_factory import build_release

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


@contextmanager
def served(data_dir: Path) -> Iterator[str]:
    """The app over the hand-made release (written into ``data_dir``) on a free local port: its base URL."""
    build_release(data_dir)
    app = create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("e2e-data")) as url:
        yield url


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
