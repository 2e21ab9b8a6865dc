"""How far an *independent draw from the same population* is from the input: the floor of each fidelity metric.

A synthesizer that sampled records from the very process that made the input would still miss it by sampling
noise: its MAEs and TVD are not 0, and it holds 3-way combinations the input happens to lack (``fab3``). This
script measures that floor, so a synthesizer's figures can be read against it:

- ``sample20k`` / ``sample100k``: fresh draws of the project's generator (seeds 1 and 2) against the benchmark's
  input (seed 0), both read as a refresh reads them;
- ``dense`` / ``ctdc``: a random half of the file against the other half (no generator exists); beside it, ``gum``
  run on that same half at each epsilon, so the synthesizer is compared with the floor at the same size
  (a half is a smaller reference than the whole file, so both figures are higher than on the whole file).

    .venv/bin/python benchmarks/bench_floor.py [--datasets dense ctdc sample20k sample100k]
        [--epsilons 1 4 12] [--seeds 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_synth import (  # noqa: E402
    CTDC_CSV,
    DATA,
    DENSE_CSV,
    SAMPLE_SIZES,
    load,
    read_ctdc,
    read_sample,
    read_strings,
    run_ours,
    sample_csv,
)
from benchmarks.fidelity import diversity, fidelity  # noqa: E402
from synth.encode import Encoded, encode_frame  # noqa: E402

DATASETS = ("dense", "ctdc", "sample20k", "sample100k")
FILES = {"dense": DENSE_CSV, "ctdc": CTDC_CSV}
#: Seed of the random split of a file into halves (fixed: every run compares the same halves).
SPLIT_SEED = 12345
METRICS = ("mae1", "mae2", "mae3", "tvd", "fab3")
HEADER = (
    "dataset",
    "compared with the input",
    "ε",
    "MAE1/n",
    "MAE2/n",
    "MAE3/n",
    "TVD",
    "fab3",
    "distinct share",
    "max copies",
)


def row(dataset: str, what: str, epsilon: str, reference: Encoded, other: Encoded) -> str:
    """One table row: ``other``'s metrics against ``reference`` and its own diversity."""
    scores = fidelity(reference, other)
    share, copies = diversity(other)
    figures = [f"{scores[k]:.5f}" if k.startswith("mae") else f"{scores[k]:.3f}" for k in METRICS]
    return "| " + " | ".join([dataset, what, epsilon, *figures, f"{share:.2f}", str(copies)]) + " |"


def halves(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame``'s rows split at random (:data:`SPLIT_SEED`) into two halves of equal size (with an odd number
    of rows, one is left out)."""
    order = np.random.default_rng(SPLIT_SEED).permutation(len(frame))
    half = len(frame) // 2
    return (frame.iloc[order[:half]].reset_index(drop=True), frame.iloc[order[half : 2 * half]].reset_index(drop=True))


def gum_on(dataset: str, frame: pd.DataFrame, epsilon: float, seed: int) -> Encoded:
    """``gum``'s records from ``frame`` (read as :func:`benchmarks.bench_synth.load` reads the whole file),
    condensed for the CTDC file as the benchmark compares them."""
    from synth.public import synthetic_tables

    if dataset == "dense":
        data = encode_frame(frame)
        return run_ours("gum", data, len(data.schema.columns), epsilon, seed, {})[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "half.csv"
        frame.to_csv(path, index=False)
        private = read_ctdc(path)
    records = run_ours("gum", private.data, private.max_attributes, epsilon, seed, {})[0]
    return encode_frame(synthetic_tables(records)["condensed"])


def rows(dataset: str, epsilons: list[float], seeds: list[int]) -> list[str]:
    if dataset in SAMPLE_SIZES:
        reference = load(dataset)[3]
        draws = {s: read_sample(sample_csv(SAMPLE_SIZES[dataset], s)).data for s in (1, 2)}
        return [row(dataset, f"fresh draw, generator seed {s}", "-", reference, d) for s, d in draws.items()]
    first, second = halves(read_strings(FILES[dataset]))
    reference = encode_frame(first)
    out = [row(dataset, "other half of the file", "-", reference, encode_frame(second))]
    for epsilon in epsilons:
        for seed in seeds:
            out.append(row(dataset, f"gum on this half, seed {seed}", f"{epsilon:g}", reference,
                           gum_on(dataset, first, epsilon, seed)))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--epsilons", nargs="+", type=float, default=[1.0, 4.0, 12.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args(argv)
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for dataset in args.datasets:
        if dataset in FILES and not DATA.exists():
            print(f"{DATA} not found: skipped {dataset}", file=sys.stderr)
            continue
        for line in rows(dataset, args.epsilons, args.seeds):
            lines.append(line)
            print(line, file=sys.stderr, flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
