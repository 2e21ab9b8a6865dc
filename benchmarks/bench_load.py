"""Load benchmark: gunicorn workers under a mixed load while new releases are published (issue 11).

    python benchmarks/bench_load.py [--workers 3] [--threads 4] [--clients 20] [--duration 300] [--swap-every 60]
                                    [--think 0] [--victims 5000] [--redis] [--seed 0]

Publishes a sample release (``python -m synth demo``) into a temporary data folder, starts gunicorn with the
deployment's settings (``dashboard/gunicorn_conf.py``: gthread workers, keep-alive, preload), WORKERS workers
of THREADS threads (``--threads 1``: sync workers), on a free 127.0.0.1 port over it (FileSystemCache, or RedisCache
and Redis rate-limit counters with ``--redis``, which starts a redis-server; rate limits are off: every client
is 127.0.0.1), and runs CLIENTS client processes for DURATION seconds while ``synth demo --force`` publishes a
new release every SWAP_EVERY seconds. Each client loops over, at random:

* a page view (kind ``page``: the page shell and ``/_dash-layout``, whose release store pins the view's
  release S; then kind ``callback``: the page content, an Explore bar click and a Data grid block, all
  carrying S, as the browser sends them). The view is **mixed** when the page content or the Explore charts
  name a release other than S, or do not name S (the release history and the "newer release" notice,
  which name other releases on purpose, are left out of the check);
* an API call (kind ``api``: metadata, records, aggregates) or an export (kind ``export``: records CSV,
  aggregates CSV).

Pacing: with ``--think 0`` (the default) every client sends its next request as soon as the previous one is
answered (a closed loop with no pause): 20 such clients on a 2-core machine keep the server saturated, and the
percentiles are then mostly queueing (time spent waiting behind other clients' requests), not service time.
With ``--think T`` each client pauses after every user action for a time drawn from an exponential
distribution of mean T seconds (a reader looking at the page before the next click). The actions: loading a
page (shell, layout and page content, sent back to back as a browser does), the Explore click, the grid block,
an API call, an export. A client then offers about one action per T seconds plus response time, so N clients
offer a bounded load (a Poisson-like stream of about N / T actions a second when responses are fast, 1.5
requests an action on average) and the percentiles measure the server under that load.

Prints requests/s, p50/p95/p99 and errors (HTTP >= 400 or no answer) per kind, page views and mixed views,
the publications, the RSS of each gunicorn worker over time, and the CPU time per request spent in the workers
and in the clients (what is left of a latency after those is waiting: for a core, or behind other requests).
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing as mp
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import gunicorn_conf  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.config import Settings  # noqa: E402
from layouts import ids  # noqa: E402
from tests.dashboard.payloads import explore_click_payload, grid_rows_payload, page_content_payload  # noqa: E402
from tests.e2e.servers import free_port, start, stop, wait_for_port  # noqa: E402

UPDATE = "/_dash-update-component"
KINDS = ("page", "callback", "api", "export")
PAGES = ("/", "/explore", "/data", "/about")
CONTENT_PAGES = ("/", "/explore", "/about")
API = ("/api/v1/metadata", "/api/v1/records?limit=50&offset=10", "/api/v1/aggregates?columns=gender,ageBroad")
EXPORTS = ("/export/records.csv", "/export/aggregates.csv?c=gender")
EXPLORE_COLUMNS = ["gender", "ageBroad", "typeOfLabour"]
#: The time-and-hash tail of a release id (``<name>-20261201T175641Z-b70af6``).
RELEASE_TAIL = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
NOTICE = re.compile(r"Release \S+ has been published since")
HISTORY = "Release history"


def named_releases(text: str) -> set[str]:
    """Release ids (their tails) a pinned response names, the history and the newer-release notice left out."""
    return set(RELEASE_TAIL.findall(NOTICE.sub("", text.split(HISTORY, 1)[0])))


def pinned(template: dict, release_id: str) -> dict:
    """A callback body carrying the page view's release (the last State, as the page's store sends it)."""
    body = copy.deepcopy(template)
    body["state"][-1]["value"] = release_id
    return body


def shell_release(layout: dict) -> str:
    """The release id in the ``RELEASE_ID`` store of ``/_dash-layout``."""
    text = json.dumps(layout)
    start_at = text.index(f'"id": "{ids.RELEASE_ID}"')
    return json.loads("{" + text[start_at:].split("}", 1)[0] + "}")["data"]


class Client:
    """One client's session, timings and counts."""

    def __init__(self, url: str, templates: dict, seed: int, think: float = 0.0) -> None:
        self.url, self.templates, self.rng, self.think = url, templates, random.Random(seed), think
        self.session = requests.Session()
        self.timings: list[tuple[str, float, bool]] = []
        self.views = self.mixed = 0
        self.failures: Counter[str] = Counter()

    def call(self, kind: str, path: str, body: dict | None = None) -> requests.Response | None:
        started = time.perf_counter()
        try:
            if body is None:
                response = self.session.get(self.url + path, timeout=60)
            else:
                response = self.session.post(self.url + path, json=body, timeout=60)
        except requests.RequestException:
            response = None
        ok = response is not None and response.status_code < 400
        if not ok:
            what = body["output"][:40] if body else path
            self.failures[f"{what} -> {response.status_code if response is not None else 'no answer'}"] += 1
        self.timings.append((kind, (time.perf_counter() - started) * 1000, ok))
        return response if ok else None

    def pause(self) -> None:
        """A reader's pause before the next request: exponential with mean ``think`` seconds (none at 0)."""
        if self.think > 0:
            time.sleep(self.rng.expovariate(1 / self.think))

    def page_view(self) -> None:
        self.call("page", self.rng.choice(PAGES))
        layout = self.call("page", "/_dash-layout")
        if layout is None:
            return
        release = shell_release(layout.json())
        expected = {RELEASE_TAIL.findall(release)[0]}
        self.views += 1
        page = self.rng.choice(CONTENT_PAGES)
        content = self.call("callback", UPDATE, page_content_payload(page, "", release))
        self.pause()
        charts = self.call("callback", UPDATE, pinned(self.templates["explore"], release))
        self.pause()
        self.call("callback", UPDATE, pinned(self.templates["grid"], release))
        if any(r is not None and named_releases(r.text) != expected for r in (content, charts)):
            self.mixed += 1

    def run(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            roll = self.rng.random()
            if roll < 0.5:
                self.page_view()
            elif roll < 0.9:
                self.call("api", self.rng.choice(API))
            else:
                self.call("export", self.rng.choice(EXPORTS))
            self.pause()


def run_client(url: str, templates: dict, seed: int, seconds: float, think: float, results: mp.Queue) -> None:
    client = Client(url, templates, seed, think)
    cpu = time.process_time()
    client.run(seconds)
    results.put((client.timings, client.views, client.mixed, client.failures, time.process_time() - cpu))


def publish(data: Path, private: Path, victims: int, force: bool) -> float:
    """One ``synth demo`` refresh into ``data`` (a large budget: the benchmark publishes many); its seconds."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "synth", "demo", "--victims", str(victims), "--data-dir", str(data)]
    command += ["--private-dir", str(private), "--budget-epsilon", "100000", "--budget-delta", "0.5"]
    subprocess.run([*command, *(["--force"] if force else [])], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def load_average() -> str:
    """The machine's 1/5/15-minute load averages (other jobs share the cores: note them with the figures)."""
    return " ".join(f"{x:.2f}" for x in psutil.getloadavg())


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) the gunicorn workers (the master's children) have used so far."""
    try:
        return sum(sum(p.cpu_times()[:2]) for p in psutil.Process(master).children())
    except psutil.Error:
        return float("nan")


def worker_rss(master: int) -> list[float]:
    """RSS (MB) of each gunicorn worker (the master's children), by pid."""
    try:
        children = sorted(psutil.Process(master).children(), key=lambda p: p.pid)
        return [round(p.memory_info().rss / 2**20) for p in children]
    except psutil.Error:
        return []


def templates_for(data: Path) -> dict:
    """Callback bodies (release id filled in per page view) from the app's own callback map."""
    app = create_app(Settings(data_dir=data, rate_limit_api="", rate_limit_exports=""))
    explore = explore_click_payload(app, EXPLORE_COLUMNS, [], ("gender", "Female"))
    return {"explore": explore, "grid": grid_rows_payload({"startRow": 0, "endRow": 100}, [], None)}


def server_env(data: Path, cache: Path, redis_url: str | None) -> dict[str, str]:
    env = {"DASHBOARD_DATA_DIR": str(data), "DASHBOARD_RATE_LIMIT_API": "", "DASHBOARD_RATE_LIMIT_EXPORTS": ""}
    if redis_url:
        env["DASHBOARD_CACHE_REDIS_URL"], env["DASHBOARD_RATELIMIT_STORAGE_URI"] = f"{redis_url}/0", f"{redis_url}/1"
        return {**env, "DASHBOARD_CACHE_TYPE": "RedisCache"}
    return {**env, "DASHBOARD_CACHE_TYPE": "FileSystemCache", "DASHBOARD_CACHE_DIR": str(cache)}


def start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A throw-away redis-server on a free loopback port, and its URL."""
    port = free_port()
    redis = shutil.which("redis-server") or "redis-server"
    command = [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = start(command, tmp / "redis.log")
    wait_for_port(port, proc, tmp / "redis.log")
    return proc, f"redis://127.0.0.1:{port}"


def start_gunicorn(tmp: Path, workers: int, threads: int, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """gunicorn with the deployment's settings (``dashboard/gunicorn_conf.py``), ``workers`` workers of ``threads``
    threads (1: sync workers, one request at a time and no keep-alive), on a free loopback port; and its URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn_conf", "-w", str(workers)]
    command += ["--threads", str(threads), *(["-k", "sync"] if threads == 1 else []), "-b", f"127.0.0.1:{port}"]
    proc = start([*command, "dashboard.wsgi:server"], tmp / "gunicorn.log", env)
    wait_for_port(port, proc, tmp / "gunicorn.log", seconds=120)
    return proc, f"http://127.0.0.1:{port}"


def report(timings: list, seconds: float, views: int, mixed: int, swaps: list[float], rss: list) -> str:
    lines = [f"{len(timings)} requests in {seconds:.0f} s: {len(timings) / seconds:.1f} requests/s"]
    lines.append(f"{'kind':<10}{'n':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in KINDS:
        ms = np.array([t for k, t, _ in timings if k == kind])
        errors = sum(1 for k, _, ok in timings if k == kind and not ok)
        if len(ms):
            p50, p95, p99 = np.percentile(ms, [50, 95, 99])
            lines.append(f"{kind:<10}{len(ms):>8}{len(ms) / seconds:>8.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{errors:>8}")
    lines.append(f"errors: {sum(1 for *_, ok in timings if not ok)}")
    lines.append(f"page views: {views}, mixed-release views: {mixed}")
    lines.append(f"releases published during the run: {len(swaps)} (refresh s: {', '.join(f'{s:.1f}' for s in swaps)})")
    lines.append("worker RSS (MB) over time:")
    lines += [f"  t={t:>5.0f} s  {' '.join(f'{mb:>5}' for mb in mbs)}" for t, mbs in rss]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workers", type=int, default=gunicorn_conf.workers)
    parser.add_argument("--threads", type=int, default=gunicorn_conf.threads, help="per worker (1: sync workers)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument("--swap-every", type=float, default=60.0, help="seconds between publications")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause (s) after each request; 0: none")
    parser.add_argument("--victims", type=int, default=5000, help="size of the published sample releases")
    parser.add_argument("--redis", action="store_true", help="RedisCache and Redis rate-limit counters")
    parser.add_argument("--rss-every", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--seed", type=int, default=0, help="seeds the clients' choices")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    data, private = tmp / "data", tmp / "private"
    procs: list[subprocess.Popen] = []
    try:
        load_at_start = load_average()
        publish(data, private, args.victims, force=False)
        redis_url = None
        if args.redis:
            redis, redis_url = start_redis(tmp)
            procs.append(redis)
        server, url = start_gunicorn(tmp, args.workers, args.threads, server_env(data, tmp / "cache", redis_url))
        procs.append(server)
        templates = templates_for(data)
        results: mp.Queue = mp.Queue()
        clients = [
            mp.Process(
                target=run_client, args=(url, templates, args.seed * 1000 + i, args.duration, args.think, results)
            )
            for i in range(args.clients)
        ]
        started, cpu_before = time.monotonic(), worker_cpu(server.pid)
        for c in clients:
            c.start()
        swaps: list[float] = []
        rss: list[tuple[float, list[float]]] = []
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss.append((time.monotonic() - started, worker_rss(server.pid)))
                done.wait(args.rss_every)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        next_swap = started + args.swap_every
        while next_swap < started + args.duration:
            time.sleep(max(0.0, next_swap - time.monotonic()))
            swaps.append(publish(data, private, args.victims, force=True))
            next_swap += args.swap_every
        collected = [results.get() for _ in clients]
        elapsed, server_cpu = time.monotonic() - started, worker_cpu(server.pid) - cpu_before
        for c in clients:
            c.join()
        done.set()
        sampler.join()
        rss.append((elapsed, worker_rss(server.pid)))
        timings = [t for client in collected for t in client[0]]
        views, mixed = sum(client[1] for client in collected), sum(client[2] for client in collected)
        failures = sum((client[3] for client in collected), Counter())
        cache = "RedisCache" if args.redis else "FileSystemCache"
        pacing = f"think time {args.think:g} s (exponential mean)" if args.think > 0 else "no think time (saturation)"
        print(f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} clients, ", end="")
        print(f"{args.duration:.0f} s, a release every {args.swap_every:.0f} s ({args.victims} victims), ", end="")
        print(f"cache {cache}, {pacing}; load average at the start {load_at_start}, at the end {load_average()}")
        print(report(timings, args.duration, views, mixed, swaps, rss))
        client_cpu = sum(client[4] for client in collected)
        print(f"CPU per request: {server_cpu / len(timings) * 1000:.2f} ms in the gunicorn workers, ", end="")
        print(f"{client_cpu / len(timings) * 1000:.2f} ms in the clients (machine: 2 cores, shared)")
        for what, n in failures.most_common(10):
            print(f"  error {n} x {what}")
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
