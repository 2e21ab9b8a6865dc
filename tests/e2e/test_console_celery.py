"""The console's Celery path: a real redis-server and a real Celery worker run a console job end to end."""

from __future__ import annotations

import shutil
import sys

import pytest
from playwright.sync_api import expect

from console import accounts
from synth import ledger
from synth.sample import write_sample
from tests.e2e.console_pages import PASSWORD, SPEC, USER, choose, sign_in
from tests.e2e.servers import free_port, serve, start, stop, wait_for_port
from tests.e2e.test_console import _finish_a_run

pytestmark = pytest.mark.e2e
REDIS = shutil.which("redis-server")


@pytest.fixture
def celery_console(tmp_path):
    if REDIS is None:
        pytest.skip("redis-server not installed (scripts/test installs it with apt)")
    pytest.importorskip("celery")
    private = tmp_path / "private"
    write_sample(private / "cases.csv", n_victims=2000, seed=4)
    (tmp_path / "spec.toml").write_text(SPEC)
    accounts.add_user(private / "console", USER, PASSWORD)
    redis_port = free_port()
    redis = start(
        [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        tmp_path / "redis.log",
    )
    wait_for_port(redis_port, redis, tmp_path / "redis.log")
    env = {
        "SHOWCASE_PRIVATE_DIR": str(private),
        "SHOWCASE_DATA_DIR": str(tmp_path / "data"),
        "SHOWCASE_CELERY_BROKER": f"redis://127.0.0.1:{redis_port}/0",
    }
    worker = start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "console.worker:celery_app",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
        ],
        tmp_path / "worker.log",
        env,
    )
    port = free_port()
    console = serve("console", [], port, tmp_path / "console.log", env)
    yield {"url": f"http://127.0.0.1:{port}", "root": tmp_path, "private": private}
    for proc in (console, worker, redis):
        stop(proc)


def test_a_run_executes_on_a_celery_worker(page, celery_console, guard):
    url, root = celery_console["url"], celery_console["root"]
    sign_in(page, url)
    choose(page, "#c-file", "cases.csv")
    expect(page.locator("#c-preview")).to_contain_text("rows, 18 columns", timeout=30_000)
    page.set_input_files("#c-spec-load input[type=file]", str(root / "spec.toml"))
    expect(page.locator("#c-risk")).to_contain_text("2000 records. For all combinations", timeout=30_000)
    _finish_a_run(page)
    assert "succeeded" in (root / "worker.log").read_text()  # the worker, not the console, ran it
    assert ledger.usage(celery_console["private"], "cases").epsilon == 4.0
    guard.assert_clean()
