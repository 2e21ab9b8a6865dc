"""Contribution caps Δ_l and noise SD σ_l·√Δ_l of the DP marginals by percentile budget share (issue 8).

Runs the DP marginals (R = 3, defaults otherwise) on the generated sample (seed 0, read through the sample's
spec) at several epsilons and shares of ρ spent on the percentiles, and prints one markdown table of the
mean caps and noise SDs over the runs. The row "exact p99" replaces the DP percentile by the exact (not DP)
99th percentile of the contributions at the 1 % share: what SDS's data-dependent percentile approximates.

    .venv/bin/python benchmarks/bench_percentile.py [--victims 20000] [--epsilons 1 4 12]
        [--shares 0.01 0.05 0.1 0.2] [--runs 20]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from synth.dp import DpParams, dp_aggregates  # noqa: E402
from synth.ingest import IngestResult, read_private  # noqa: E402
from synth.sample import write_sample  # noqa: E402
from synth.spec import load_spec  # noqa: E402


def load_sample(victims: int) -> IngestResult:
    path = Path(tempfile.gettempdir()) / f"synth-bench-sample-{victims}.csv"
    if not path.exists():
        write_sample(path, n_victims=victims, seed=0)
    return read_private(path, load_spec(REPO / "synth" / "data" / "sample_spec.toml"), rng=np.random.default_rng(0))


def exact_percentile(
    values: np.ndarray, percentage: float, epsilon: float, bound: int, rng: np.random.Generator
) -> int:
    """The exact (not DP) percentile, for the reference row."""
    return int(np.floor(np.percentile(values, percentage, method="median_unbiased"))) if values.size else 0


def measure(ingested: IngestResult, epsilon: float, share: float, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean contribution caps and mean noise SDs over ``runs`` runs."""
    caps, sds = [], []
    rng = np.random.default_rng(1)
    params = DpParams(epsilon=epsilon, percentile_epsilon_proportion=share)
    for _ in range(runs):
        report = dp_aggregates(ingested.data, params, rng, max_attributes=ingested.max_attributes).report
        caps.append(report["contribution_caps"])
        sds.append(report["noise_sd"])
    return np.mean(caps, axis=0), np.mean(sds, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--victims", type=int, default=20_000)
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1, 4, 12])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.01, 0.05, 0.1, 0.2])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ingested = load_sample(args.victims)
    print(f"sample of {args.victims} victims, W_max = {ingested.max_attributes}, mean of {args.runs} runs\n")
    print("| epsilon | percentile | caps Δ_1, Δ_2, Δ_3 | noise SD l = 1, 2, 3 |")
    print("|---|---|---|---|")
    for epsilon in args.epsilons:
        rows = []
        with mock.patch("synth.dp.marginals.dp_percentile", exact_percentile):
            rows.append(("exact p99, 1 %", *measure(ingested, epsilon, 0.01, args.runs)))
        rows += [(f"DP, {share:.0%}", *measure(ingested, epsilon, share, args.runs)) for share in args.shares]
        for label, caps, sds in rows:
            caps_text, sds_text = ", ".join(f"{c:.0f}" for c in caps), ", ".join(f"{s:.1f}" for s in sds)
            print(f"| {epsilon:g} | {label} | {caps_text} | {sds_text} |")


if __name__ == "__main__":
    main()
