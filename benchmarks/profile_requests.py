"""Server time of the load benchmark's requests, in one process, and where it goes (cProfile).

    python benchmarks/profile_requests.py [--data-dir DIR] [--repeats 50] [--cache FileSystemCache]
                                          [--profile KIND] [--top 25]

Builds the app over the current release of ``--data-dir`` (or publishes ``synth demo --victims 5000`` into a
temporary folder, as ``bench_load.py`` does), then sends each request of ``bench_load.py``'s mix (page shell,
``/_dash-layout``, the page content callbacks, an Explore click, a Data grid block, the API calls and the CSV
exports), ``--repeats`` times each, through the Flask test client, and prints the server time per request
(timed inside the WSGI app: request parsing to the last byte of the body) as median and p95. The first call of
each request is a warm-up and not counted (it builds the cached views). With ``--profile KIND`` (a name of the
table, e.g. ``layout``), that request runs under cProfile and the ``--top`` functions by cumulative time are
printed.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_dashboard import ServerTimer  # noqa: E402
from benchmarks.bench_load import API, EXPORTS, UPDATE, templates_for  # noqa: E402
from dashboard.app import create_app  # noqa: E402
from dashboard.config import Settings  # noqa: E402
from synth.release import current_release  # noqa: E402
from tests.dashboard.payloads import page_content_payload  # noqa: E402


def requests_of(data: Path) -> dict[str, tuple[str, dict | None]]:
    """Name -> (path, POST body or None) of every request ``bench_load.py`` sends, pinned to the current release."""
    release = current_release(data)
    assert release is not None, f"no release in {data}"
    rid = release.name
    templates = templates_for(data)
    for body in templates.values():
        body["state"][-1]["value"] = rid
    out: dict[str, tuple[str, dict | None]] = {"shell /": ("/", None), "layout": ("/_dash-layout", None)}
    for page in ("/", "/explore", "/about"):
        out[f"content {page}"] = (UPDATE, page_content_payload(page, "", rid))
    out["explore click"] = (UPDATE, templates["explore"])
    out["grid block"] = (UPDATE, templates["grid"])
    out |= {path.split("?")[0].removeprefix("/api/v1/"): (path, None) for path in API}
    out |= {path.split("?")[0].removeprefix("/export/"): (path, None) for path in EXPORTS}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--data-dir", type=Path, help="default: a fresh synth demo release (5000 victims)")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--cache", default="FileSystemCache", help="DASHBOARD_CACHE_TYPE of the app")
    parser.add_argument("--profile", help="the request to run under cProfile (a name of the table)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="profile-requests-"))
    try:
        data = args.data_dir
        if data is None:
            data = tmp / "data"
            command = [sys.executable, "-m", "synth", "demo", "--victims", "5000", "--data-dir", str(data)]
            subprocess.run([*command, "--private-dir", str(tmp / "p")], cwd=ROOT, check=True, capture_output=True)
        settings = Settings(
            data_dir=data, cache_type=args.cache, cache_dir=tmp / "cache", rate_limit_api="", rate_limit_exports=""
        )
        server = create_app(settings).server
        timer = ServerTimer(server.wsgi_app)
        server.wsgi_app = timer
        client = server.test_client()
        print(f"{'request':<22}{'median ms':>10}{'p95 ms':>9}{'bytes':>9}")
        for name, (path, body) in requests_of(data).items():
            send = (lambda p=path, b=body: client.post(p, json=b)) if body else (lambda p=path: client.get(p))
            first = send()
            assert first.status_code == 200, (name, first.status_code, first.data[:300])
            timer.times.clear()
            profiler = cProfile.Profile() if name == args.profile else None
            for _ in range(args.repeats):
                if profiler:
                    profiler.enable()
                send()
                if profiler:
                    profiler.disable()
            ms = np.array(timer.times) * 1000
            p50, p95 = np.percentile(ms, [50, 95])
            print(f"{name:<22}{p50:>10.2f}{p95:>9.2f}{len(first.data):>9}", flush=True)
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        print(f"({args.repeats} requests each, cache {args.cache}, {time.strftime('%H:%M:%S')})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
