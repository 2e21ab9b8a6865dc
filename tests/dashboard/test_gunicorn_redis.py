"""Many workers: the app under gunicorn with the deployment's settings (dashboard/gunicorn_conf.py) and 2 workers,
and a real redis-server for the view cache and the rate limits (docs/deploy.md). Which worker answered is read
from gunicorn's access log (the ``%(p)s`` atom)."""

from __future__ import annotations

import http.client
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from dashboard import gunicorn_conf
from dashboard.app import create_app
from dashboard.cache import KEY_PREFIX
from dashboard.config import Settings
from layouts import ids
from tests.dashboard.payloads import explore_click_payload
from tests.dashboard.release_factory import build_release
from tests.e2e.servers import free_port, start, stop, wait_for_port

REDIS = shutil.which("redis-server")
API_LIMIT = 6
CALLBACK = "/_dash-update-component"
METADATA = "/api/v1/metadata"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """redis-server and ``gunicorn -c python:dashboard.gunicorn_conf -w 2`` on free loopback ports, over the
    hand-made release."""
    if REDIS is None:
        pytest.skip("redis-server not installed (scripts/test installs it with apt)")
    redis = pytest.importorskip("redis")
    pytest.importorskip("gunicorn")
    root = tmp_path_factory.mktemp("deploy")
    build_release(root / "data")
    redis_port, port = free_port(), free_port()
    server = start(
        [REDIS, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        root / "redis.log",
    )
    wait_for_port(redis_port, server, root / "redis.log")
    env = {
        "DASHBOARD_DATA_DIR": str(root / "data"),
        "DASHBOARD_CACHE_TYPE": "RedisCache",
        "DASHBOARD_CACHE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DASHBOARD_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_port}/1",
        "DASHBOARD_RATE_LIMIT_API": f"{API_LIMIT} per minute",
    }
    access = root / "access.log"
    command = [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf", "-w", "2"]
    command += ["-b", f"127.0.0.1:{port}"]
    command += ["--access-logfile", str(access), "--access-logformat", "%(p)s %(U)s %(s)s", "dashboard.wsgi:server"]
    app = start(command, root / "gunicorn.log", env)
    wait_for_port(port, app, root / "gunicorn.log", seconds=90)
    yield {
        "url": f"http://127.0.0.1:{port}",
        "port": port,
        "redis": redis.Redis(port=redis_port),
        "access": access,
        "dash": create_app(Settings(data_dir=root / "data")),
    }
    stop(app)
    stop(server)


def _log(access: Path) -> list[list[str]]:
    return [line.split() for line in access.read_text().splitlines()]


def _workers(access: Path, path: str, statuses: tuple[str, ...] = ("200",), since: int = 0) -> set[str]:
    """The pids of the workers that answered ``path`` with one of ``statuses`` (gunicorn's access log, from
    line ``since`` on)."""
    return {pid for pid, url, code in _log(access)[since:] if url == path and code in statuses}


def _until_both_workers(
    access: Path, path: str, call: Callable[[], requests.Response], most: int, since: int
) -> list[int]:
    """Call in bursts of 4 concurrent requests until two workers have answered ``path`` since log line
    ``since`` (at most ``most`` calls)."""
    codes: list[int] = []
    with ThreadPoolExecutor(4) as pool:
        while len(codes) < most and len(_workers(access, path, ("200", "429"), since)) < 2:
            codes += [r.status_code for r in pool.map(lambda _: call(), range(4))]
    return codes


def _writes(redis) -> int:
    stats = redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{name}", {}).get("calls", 0) for name in ("set", "setex", "psetex", "mset"))


def test_pages_and_callbacks_answer_under_two_workers(deployed):
    for path in ("/", "/explore", "/data", "/healthz", "/_dash-layout", "/_dash-dependencies"):
        assert requests.get(deployed["url"] + path, timeout=30).status_code == 200, path
    payload = explore_click_payload(deployed["dash"], ["gender", "ageBroad"], [], ("gender", "Female"))
    out = requests.post(deployed["url"] + CALLBACK, json=payload, timeout=30).json()
    assert "published count 50" in out["response"][ids.EXPLORE_SUMMARY]["children"]


def test_the_view_cache_is_shared_by_the_workers(deployed):
    """A view model built (written to Redis) by one worker is read, not rebuilt, by the other."""
    redis, url = deployed["redis"], deployed["url"]
    payload = explore_click_payload(deployed["dash"], ["gender", "CountryOfExploitation"], [], ("gender", "Male"))
    writes, since = _writes(redis), len(_log(deployed["access"]))
    assert requests.post(url + CALLBACK, json=payload, timeout=30).status_code == 200
    assert _writes(redis) > writes and any(redis.scan_iter(f"{KEY_PREFIX}*"))
    writes, since = _writes(redis), len(_log(deployed["access"]))  # the first worker built and wrote the views
    codes = _until_both_workers(
        deployed["access"], CALLBACK, lambda: requests.post(url + CALLBACK, json=payload, timeout=30), 60, since
    )
    assert set(codes) == {200} and len(_workers(deployed["access"], CALLBACK, since=since)) == 2
    assert _writes(redis) == writes  # the other worker wrote nothing: it read the first one's views


def test_rate_limits_are_shared_by_the_workers(deployed):
    """DASHBOARD_RATELIMIT_STORAGE_URI=redis://: the API limit counts requests to any worker together."""
    url, since = deployed["url"] + METADATA, len(_log(deployed["access"]))
    codes = _until_both_workers(deployed["access"], METADATA, lambda: requests.get(url, timeout=30), 40, since)
    codes += [requests.get(url, timeout=30).status_code for _ in range(API_LIMIT)]
    assert codes.count(200) == API_LIMIT and set(codes) == {200, 429}
    assert len(_workers(deployed["access"], METADATA, ("200",), since)) >= 1
    assert len(_workers(deployed["access"], METADATA, ("200", "429"), since)) == 2
    refused = requests.get(url, timeout=30)
    assert refused.status_code == 429 and "too many requests" in refused.json()["error"]


def test_workers_keep_a_connection_open(deployed):
    """gthread workers (dashboard/gunicorn_conf.py): several requests on one kept-alive connection (sync workers
    close it after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", deployed["port"], timeout=30)
    try:
        sockets = []
        for path in ("/healthz", "/_dash-layout", "/healthz"):
            connection.request("GET", path)
            sockets.append(connection.sock)
            response = connection.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close, response.getheaders()
        assert sockets[0] is sockets[1] is sockets[2]  # one connection for the three
    finally:
        connection.close()
    assert gunicorn_conf.worker_class == "gthread" and gunicorn_conf.threads > 1 and gunicorn_conf.preload_app
