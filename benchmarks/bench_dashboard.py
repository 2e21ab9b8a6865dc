"""Dashboard benchmark on a 1,000,000-record release (issue 4 targets).

    python benchmarks/bench_dashboard.py [--source-data-dir DIR] [--records 1000000] [--repeats 40]

The large release is built by resampling (with replacement, seeded) the synthetic records of the
source release (default: the current release of DASHBOARD_DATA_DIR / ./var/data; if none exists,
``python -m synth demo`` is run into a temporary folder). Aggregates, metadata and evaluation are
copied unchanged. Measured, all server-side (Flask test client, no network):

* cold start: a fresh process creating the app and loading the release (and its peak RSS);
* Overview first render: the page's layout function plus JSON serialisation, uncached (the layout itself, not
  the page memo that serves it afterwards: layouts/common.py ``remembered``);
* Explore filter change with 6 charts: POST /_dash-update-component timed inside the WSGI app
  (the test client's own request building excluded), uncached (NullCache, a new selection each
  time) and cached (SimpleCache, selections seen before).

Targets: Explore p95 < 50 ms uncached and < 5 ms cached; Overview < 300 ms; cold start < 10 s;
RSS < 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synth.release import current_release, new_release_id, read_metadata, utc_now, write_release  # noqa: E402
from synth.release_format import AGGREGATES, EVALUATION, SYNTHETIC  # noqa: E402
from tests.dashboard.payloads import explore_click_payload  # noqa: E402

COLD_START = """
import json, resource, sys, time
t0 = time.perf_counter()
from dashboard.app import create_app
from dashboard.config import Settings
app = create_app(Settings(data_dir=sys.argv[1], cache_type="NullCache"))
client = app.server.test_client()
assert client.get("/api/v1/metadata").status_code == 200     # forces the release load
t1 = time.perf_counter()
print(json.dumps({"seconds": t1 - t0, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def source_release(data_dir: Path | None) -> Path:
    data_dir = data_dir or Path(os.environ.get("DASHBOARD_DATA_DIR", "var/data"))
    found = current_release(data_dir)
    if found is not None:
        return found
    tmp = Path(tempfile.mkdtemp(prefix="bench-demo-"))
    print(f"no release in {data_dir}; running python -m synth demo into {tmp}", flush=True)
    subprocess.run(
        [sys.executable, "-m", "synth", "demo", "--data-dir", str(tmp / "data"), "--private-dir", str(tmp / "private")],
        check=True,
        cwd=ROOT,
    )
    return current_release(tmp / "data")


def build_large_release(source: Path, n_records: int, out_dir: Path, seed: int) -> Path:
    """A copy of ``source`` whose synthetic records are resampled to ``n_records`` rows."""
    meta = read_metadata(source)
    synthetic = pq.read_table(source / SYNTHETIC)
    rng = np.random.default_rng(seed)
    big = synthetic.take(rng.integers(0, synthetic.num_rows, n_records)).to_pandas()
    metadata = replace(
        meta,
        release_id=new_release_id(meta.dataset.name, utc_now()),
        synthesis=replace(meta.synthesis, n_records=n_records),
        files={},
    )
    evaluation = json.loads((source / EVALUATION).read_text()) if (source / EVALUATION).exists() else {}
    return write_release(
        out_dir,
        metadata,
        tables={AGGREGATES: pq.read_table(source / AGGREGATES).to_pandas(), SYNTHETIC: big},
        documents={EVALUATION: evaluation},
    )


def cold_start(data_dir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", COLD_START, str(data_dir)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def explore_events(app, release, columns: list[str], n: int, seed: int) -> list[dict]:
    """Random filter changes for the Explore page of ``app``: a selection on one column, a click on another."""
    rng = np.random.default_rng(seed)
    events = []
    for _ in range(n):
        a, b = rng.choice(len(columns), 2, replace=False)
        dim_a, dim_b = release.dimensions[columns[a]], release.dimensions[columns[b]]
        state = [f"{columns[a]}:{dim_a.values[rng.integers(len(dim_a.values))]}"]
        clicked = (columns[b], dim_b.values[rng.integers(len(dim_b.values))])
        events.append(explore_click_payload(app, columns, state, clicked))
    return events


class ServerTimer:
    """WSGI middleware recording the server's time per request (request parsing to last response byte)."""

    def __init__(self, app) -> None:
        self.app = app
        self.times: list[float] = []

    def __call__(self, environ, start_response):
        t0 = time.perf_counter()
        body = b"".join(self.app(environ, start_response))
        self.times.append(time.perf_counter() - t0)
        return [body]


def time_posts(server, payloads: list[dict]) -> np.ndarray:
    """Server time in ms of each POST to /_dash-update-component (Flask test client, timed in WSGI)."""
    timer = ServerTimer(server.wsgi_app)
    server.wsgi_app = timer
    client = server.test_client()
    try:
        for payload in payloads:
            response = client.post("/_dash-update-component", json=payload)
            assert response.status_code == 200, response.data[:300]
    finally:
        server.wsgi_app = timer.app
    return np.array(timer.times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-data-dir", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    source = source_release(args.source_data_dir)
    work = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        return run(source, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(source: Path, work: Path, args: argparse.Namespace) -> int:
    """Build the large release in ``work``, measure, print the table."""
    from dashboard.app import create_app
    from dashboard.config import Settings

    t0 = time.perf_counter()
    build_large_release(source, args.records, work, args.seed)
    print(f"built {args.records:,}-record release from {source.name} in {time.perf_counter() - t0:.1f} s", flush=True)

    cold = cold_start(work)
    rows = [
        ("cold start (create app + load release)", f"{cold['seconds']:.2f} s", "< 10 s"),
        ("peak resident memory after load", f"{cold['max_rss_mb']:.0f} MB", "< 1536 MB"),
    ]

    uncached = create_app(Settings(data_dir=work, cache_type="NullCache"))
    with uncached.server.test_request_context("/"):
        from plotly.io.json import to_json_plotly

        from dashboard import context
        from layouts import overview

        release, profile = context.current()
        columns = list(profile.explore)[:6]
        columns += [k for k in release.dimensions if k not in columns][: 6 - len(columns)]
        overview_ms = []
        for _ in range(5):
            t = time.perf_counter()
            to_json_plotly(overview.layout.__wrapped__(release, profile))  # the build, not the page memo
            overview_ms.append((time.perf_counter() - t) * 1000)
    rows.append(
        (
            "Overview first render (layout + JSON, uncached)",
            f"median {np.median(overview_ms):.0f} ms, max {np.max(overview_ms):.0f} ms",
            "< 300 ms",
        )
    )

    events = explore_events(uncached, release, columns, args.repeats, args.seed)
    time_posts(uncached.server, events[:3])  # warm-up (imports, first allocations)
    un = time_posts(uncached.server, events)
    rows.append(
        (
            f"Explore filter change, {len(columns)} charts, uncached",
            f"p50 {np.percentile(un, 50):.1f} ms, p95 {np.percentile(un, 95):.1f} ms",
            "p95 < 50 ms",
        )
    )

    cached_app = create_app(Settings(data_dir=work, cache_type="SimpleCache"))
    time_posts(cached_app.server, events)  # fill the cache
    ca = time_posts(cached_app.server, events)
    rows.append(
        (
            f"Explore filter change, {len(columns)} charts, cached",
            f"p50 {np.percentile(ca, 50):.1f} ms, p95 {np.percentile(ca, 95):.1f} ms",
            "p95 < 5 ms",
        )
    )

    width = max(len(r[0]) for r in rows)
    print(
        f"\nrelease: {args.records:,} synthetic records, {len(release.dimensions)} columns "
        f"({len(release.schema.columns)} encoded), {sum(k.size for k in release.agg_keys.values()):,} published "
        f"combinations, R={release.reporting_length}"
    )
    print(f"{'measure':<{width}}  {'result':<32}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<32}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
