"""Wall time and peak memory of exact aggregation and DP marginals (R = 3 by default).

Usage: ``python benchmarks/bench_aggregate.py [--cases dense,ctdc,sample20k,sample100k] [--r 3]``

Every (case, step) runs in a fresh subprocess, so the figures do not mix: the data is loaded first
(untimed), then the step runs once under ``tracemalloc`` (modules are imported before it starts: imports
under tracemalloc are very slow). Columns: wall seconds of the step, Python-level
peak of the step (tracemalloc, numpy buffers included), and the child process's peak RSS (loading
included). Cases whose input is missing (shared benchmark files, ``synth.sample``) are skipped.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from synth.aggregates import aggregate
from synth.dp import DpParams, dp_aggregates
from synth.encode import Encoded, encode_frame

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CASES = {
    "dense": "dense 10k x 19 (bench file)",
    "ctdc": "CTDC VP condensed (cells as plain values)",
    "sample20k": "sample, 20k victims (ingested)",
    "sample100k": "sample, 100k victims (ingested)",
}


def _read_csv(path: Path) -> tuple[Encoded, int] | None:
    if not path.exists():
        return None
    data = encode_frame(pd.read_csv(path, dtype=str, keep_default_na=False))
    return data, len(data.schema.columns)  # single-value columns only: W_max = the column count


def _sample(n_victims: int) -> tuple[Encoded, int] | None:
    try:
        from importlib import resources

        from synth.ingest import read_private
        from synth.sample import write_sample
        from synth.spec import load_spec
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = write_sample(Path(tmp) / "sample.csv", n_victims, seed=0)
        with resources.as_file(resources.files("synth") / "data" / "sample_spec.toml") as spec_path:
            spec = load_spec(spec_path)
        ingested = read_private(path, spec, rng=np.random.default_rng(0))
        return ingested.data, ingested.max_attributes


def load_case(case: str) -> tuple[Encoded, int] | None:
    """The encoded table of a case and its W_max (from the header and spec), or None when its input is not available."""
    if case == "dense":
        return _read_csv(SHARED / "bench" / "dense_10k_19col.csv")
    if case == "ctdc":
        return _read_csv(SHARED / "CTDC_VPsynthetic_condensed.csv")
    if case == "sample20k":
        return _sample(20_000)
    if case == "sample100k":
        return _sample(100_000)
    raise ValueError(f"unknown case {case!r}")


def run_one(case: str, step: str, reporting_length: int) -> dict | None:
    """Load one case, run one step under tracemalloc and return its figures (None if the case is missing)."""
    loaded = load_case(case)
    if loaded is None:
        return None
    data, w_max = loaded
    tracemalloc.start()
    start = time.perf_counter()
    if step == "exact":
        agg = aggregate(data, reporting_length)
        extra = {}
    else:
        params = DpParams(reporting_length=reporting_length)
        result = dp_aggregates(data, params, np.random.default_rng(0), max_attributes=w_max)
        agg = result.aggregates
        extra = {"caps": result.report["contribution_caps"], "candidates": result.report["candidates"][1:]}
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "case": case,
        "step": step,
        "records": data.n_records,
        "columns": len(data.schema.columns),
        "attributes": data.schema.n_attrs,
        "wall_s": wall,
        "py_peak_mb": peak / 2**20,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "per_length": [int(agg.keys[l].size) for l in agg.lengths()],
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--r", type=int, default=3, help="reporting length (default 3)")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "STEP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one, args.r)))
        return
    header = (
        f"{'case':<44} {'step':<6} {'records':>8} {'cols':>4} {'attrs':>5} {'wall s':>7} "
        f"{'py peak MB':>10} {'RSS MB':>7}  combinations per length (DP: published; caps; candidates)"
    )
    print(header)
    print("-" * len(header))
    for case in args.cases.split(","):
        for step in ("exact", "dp"):
            out = subprocess.run(
                [sys.executable, __file__, "--r", str(args.r), "--one", case, step],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            if row is None:
                print(f"{CASES[case]:<44} skipped (input not available)")
                break
            detail = str(row["per_length"])
            if step == "dp":
                detail += f"; caps {row['caps']}; candidates {row['candidates']}"
            print(
                f"{CASES[case]:<44} {step:<6} {row['records']:>8} {row['columns']:>4} {row['attributes']:>5} "
                f"{row['wall_s']:>7.2f} {row['py_peak_mb']:>10.0f} {row['rss_peak_mb']:>7.0f}  {detail}",
                flush=True,
            )


if __name__ == "__main__":
    main()
