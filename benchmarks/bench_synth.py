"""Benchmark of the DP synthesizers against pac-synth (SDS's DP aggregate-seeded library) at the same settings.

Every (dataset, tool, epsilon, seed) runs in its own subprocess so that peak RSS is per run. Wall time of our
tools covers DP aggregation + synthesis; pac-synth's covers fit + sample; reading the input is excluded.
Our synthesizers receive the DP aggregates restricted to the public schema, as in a refresh. Metrics (see
``fidelity.py``) compare the synthetic table with the input table; ``in-interval`` compares our synthetic
table, and the private input beside it, with the published 95 % intervals of the run (pac-synth publishes
none: "-"). An ``input`` row per dataset gives the input's own distinct share and max copies. Results are
averaged over seeds and printed as ONE markdown table; ``--compare`` adds a table of ours / pac-synth ratios;
a last table per synthesizer of ours marks issue 9's targets met or missed (``targets.py``).

    .venv/bin/python benchmarks/bench_synth.py [--datasets dense dense_declared ctdc sample20k sample100k]
        [--tools raked_marginals gum aggregate_seeded pac-synth] [--epsilons 1 4 12] [--seeds 0 1 2] [--compare]
        [--option NAME=VALUE ...]   (a keyword option of our synthesizers, value parsed as JSON, e.g. rounds=3)
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data"
DENSE_CSV = DATA / "bench" / "dense_10k_19col.csv"
CTDC_CSV = DATA / "CTDC_VPsynthetic_condensed.csv"
sys.path.insert(0, str(REPO))

from benchmarks.fidelity import diversity, fidelity, in_interval_shares  # noqa: E402
from benchmarks.targets import Results, targets_table  # noqa: E402
from synth.aggregates import Aggregates  # noqa: E402
from synth.encode import Encoded, encode_frame  # noqa: E402
from synth.ingest import IngestResult  # noqa: E402

#: ``dense_declared`` is the dense table with every column's values declared public (a spec ``[domains]`` entry,
#: as a codebook would give them): the setting MST is measured in (it is handed each column's domain), so the
#: like-for-like comparison with its figures. Undeclared, the DP threshold drops the rare values (16 of country's
#: 30 at epsilon 4) and their records can only come out empty.
DATASETS = ("dense", "dense_declared", "ctdc", "sample20k", "sample100k")
SAMPLE_SIZES = {"sample20k": 20_000, "sample100k": 100_000}
TOOLS = ("raked_marginals", "gum", "aggregate_seeded", "pac-synth")
CTDC_MULTI_VALUE = {c: ";" for c in ("IP_Gender", "IP_ageBroad", "IP_citizen_UNRegion", "IP_Relation", "IP_PayMoney")}
#: pac-synth writes these characters of values escaped (it uses them as separators internally).
PACSYNTH_ESCAPES = {"<semicolon>": ";", "<colon>": ":"}
#: Published count from which a combination is a large cell (column ``in-interval ≥ 1,000``).
LARGE = 1_000
#: Metrics of the --compare table (key, header): lower is better for each, so a ratio below 1 favours ours.
COMPARED = (
    ("mae1", "MAE1"),
    ("mae2", "MAE2"),
    ("mae3", "MAE3"),
    ("tvd", "TVD"),
    ("fab3", "fab3"),
    ("wall", "wall"),
    ("peak_mb", "peak MB"),
)
HEADER = (
    "dataset",
    "tool",
    "epsilon",
    "wall s",
    "peak MB",
    "rows out",
    "empty",
    "MAE1/n",
    "MAE2/n",
    "MAE3/n",
    "TVD",
    "TVD-ne",
    "fab3",
    "in-interval 1/2/3",
    "in-interval ≥ 1,000",
    "distinct share",
    "max copies",
    "caps",
    "noise sd",
)


def read_strings(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def sample_csv(n: int, seed: int = 0) -> Path:
    """The generated sample of ``n`` victims (generator ``seed``; the benchmark's input is seed 0's) as a cached
    CSV outside the repository."""
    from synth.sample import write_sample

    path = Path(tempfile.gettempdir()) / f"synth-bench-sample-{n}-seed{seed}.csv"
    if not path.exists():
        write_sample(path, n_victims=n, seed=seed)
    return path


def read_sample(path: Path) -> IngestResult:
    """A generated sample read with the sample's spec, as a refresh reads it (with :func:`fixed`)."""
    from synth.ingest import read_private
    from synth.spec import load_spec

    return read_private(path, load_spec(REPO / "synth" / "data" / "sample_spec.toml"), rng=fixed())


def read_ctdc(path: Path) -> IngestResult:
    """A CTDC file (or part of one) read with its multi-value columns, as a refresh reads it."""
    from synth.ingest import read_private
    from synth.spec import load_spec

    return read_private(path, load_spec(multi_value=CTDC_MULTI_VALUE), rng=fixed())


def fixed() -> np.random.Generator:
    """The reader's generator: it keeps a random m_c values of a record holding more (23 sets of means of control
    in the sample of 20,000 victims), from OS entropy in a refresh; fixed here, so every run of a dataset
    synthesizes from the same input (with OS entropy two runs of one seed differed: 72 and 82 copies)."""
    return np.random.default_rng(0)


def load(dataset: str) -> tuple[Encoded, int, pd.DataFrame, Encoded, bool]:
    """(our input, its W_max, pac-synth input frame, table the metrics compare with, whether our output is
    condensed first). W_max comes from the header and spec, as in a refresh."""
    from synth.ingest import read_private
    from synth.spec import Domain, load_spec

    if dataset == "dense":
        frame = read_strings(DENSE_CSV)
        data = encode_frame(frame)
        return data, len(data.schema.columns), frame, data, False
    if dataset == "dense_declared":
        frame = read_strings(DENSE_CSV)
        domains = {c: Domain(tuple(sorted(frame[c].unique()))) for c in frame.columns}
        declared = read_private(DENSE_CSV, replace(load_spec(), domains=MappingProxyType(domains)), rng=fixed())
        return declared.data, declared.max_attributes, frame, encode_frame(frame), False
    if dataset == "ctdc":
        frame = read_strings(CTDC_CSV)
        ours = read_ctdc(CTDC_CSV)
        return ours.data, ours.max_attributes, frame, encode_frame(frame), True
    sample = read_sample(sample_csv(SAMPLE_SIZES[dataset]))
    return sample.data, sample.max_attributes, sample.data.to_frame(), sample.data, False


def run_ours(
    tool: str, data: Encoded, w_max: int, epsilon: float, seed: int, options: dict
) -> tuple[Encoded, dict, Aggregates]:
    """Synthetic records, the DP noise figures (contribution caps, noise sd per length) and the published
    aggregates the synthesizer received: the DP aggregates restricted to the public schema, as in a refresh."""
    from synth.dp import DpParams, dp_aggregates
    from synth.public import public_schema, restrict_aggregates
    from synth.synthesizers import SYNTHESIZERS

    rng = np.random.default_rng(seed)
    dp = dp_aggregates(data, DpParams(epsilon=epsilon, reporting_length=3), rng, max_attributes=w_max)
    noise = {"caps": dp.report["contribution_caps"], "noise_sd": dp.report["noise_sd"]}
    schema, remap = public_schema(dp.aggregates)
    published = restrict_aggregates(dp.aggregates, schema, remap)
    return SYNTHESIZERS[tool](published, rng, noise_sd=list(dp.report["noise_sd"]), **options), noise, published


def run_pacsynth(frame: pd.DataFrame, epsilon: float) -> pd.DataFrame:
    """pac-synth's sampled records, with its value escapes undone (so "a;b" compares equal to the input's)."""
    import pacsynth

    params = pacsynth.DpAggregateSeededParametersBuilder().reporting_length(3).epsilon(epsilon).build()
    synth = pacsynth.DpAggregateSeededSynthesizer(params)
    synth.fit(pacsynth.Dataset.from_data_frame(frame))
    rows = synth.sample()
    out = pd.DataFrame(rows[1:], columns=rows[0])
    for escaped, plain in PACSYNTH_ESCAPES.items():
        out = out.apply(lambda column, e=escaped, p=plain: column.str.replace(e, p, regex=False))
    return out


def worker(dataset: str, tool: str, epsilon: float, seed: int, options: dict) -> dict:
    """One run (``options``: keyword options of our synthesizer); returns the metrics, wall seconds and peak RSS
    (MB) as a dict. Tool ``input``: the input's own row count, distinct share and max copies (``epsilon`` and
    ``seed`` unused)."""
    from synth.public import synthetic_tables

    ours, w_max, pac_frame, reference, condense = load(dataset)
    if tool == "input":
        share, copies = diversity(reference)
        return {"rows": float(reference.n_records), "distinct_share": share, "max_copies": copies}
    start = time.perf_counter()
    extra: dict = {}
    if tool == "pac-synth":
        output = encode_frame(run_pacsynth(pac_frame, epsilon))
    else:
        output, extra, published = run_ours(tool, ours, w_max, epsilon, seed, options)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if tool != "pac-synth":
        # Against the intervals the synthesizer saw: the synthetic table (public schema) and the private input.
        r, sd = published.reporting_length, extra["noise_sd"]
        extra["in_interval"], extra["large_in_interval"] = in_interval_shares(published, sd, output, r, (0, LARGE))
        extra["input_in_interval"], extra["input_large_in_interval"] = in_interval_shares(
            published, sd, ours, r, (0, LARGE)
        )
    if condense and tool != "pac-synth":
        output = encode_frame(synthetic_tables(output)["condensed"])
    share, copies = diversity(output)
    return {
        "wall": wall,
        "peak_mb": peak,
        **extra,
        **fidelity(reference, output),
        "distinct_share": share,
        "max_copies": copies,
    }


def run_worker(dataset: str, tool: str, epsilon: float, seed: int, options: dict | None = None) -> dict | None:
    """:func:`worker` in a subprocess of its own; None (reported on stderr) when it fails."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", dataset, tool, str(epsilon), str(seed)]
    cmd += ["--worker-options", json.dumps(options or {})]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{dataset} {tool} eps {epsilon} seed {seed} failed:\n{done.stderr}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def shares(values: list[float] | np.ndarray) -> str:
    return "/".join("-" if np.isnan(v) else f"{v:.2f}" for v in values)


def table_row(dataset: str, tool: str, epsilon: float | None, mean: dict) -> str:
    """One markdown row of the main table ("-" where a figure does not apply)."""
    if tool == "input":
        cells = [dataset, tool, "-", "-", "-", f"{mean['rows']:,.0f}", *["-"] * 7, "-", "-"]
    else:
        interval = large = "-"
        if "in_interval" in mean:
            interval = f"{shares(mean['in_interval'])} (input {shares(mean['input_in_interval'])})"
        if "large_in_interval" in mean:
            large = f"{shares(mean['large_in_interval'])} (input {shares(mean['input_large_in_interval'])})"
        cells = [
            dataset,
            tool,
            f"{epsilon:g}",
            f"{mean['wall']:.1f}",
            f"{mean['peak_mb']:.0f}",
            f"{mean['rows']:,.0f}",
            f"{mean['empty']:.3f}",
            f"{mean['mae1']:.5f}",
            f"{mean['mae2']:.5f}",
            f"{mean['mae3']:.5f}",
            f"{mean['tvd']:.3f}",
            f"{mean['tvd_ne']:.3f}",
            f"{mean['fab3']:.3f}",
            interval,
            large,
        ]
    cells += [f"{mean['distinct_share']:.3f}", f"{mean['max_copies']:,.0f}"]
    cells += [
        " / ".join(f"{c:.0f}" for c in mean["caps"]) if "caps" in mean else "-",
        " / ".join(f"{s:.1f}" for s in mean["noise_sd"]) if "noise_sd" in mean else "-",
    ]
    return "| " + " | ".join(cells) + " |"


def ratio(ours: float, theirs: float) -> str:
    """ours / theirs to 2 decimals; 1.00 when both are 0, "inf" when only theirs is."""
    if theirs == 0:
        return "1.00" if ours == 0 else "inf"
    return f"{ours / theirs:.2f}"


def compare_table(results: Results, datasets: list[str], epsilons: list[float]) -> str:
    """Markdown table of ours / pac-synth ratios of the seed means, per dataset, epsilon and tool of ours."""
    header = ("dataset", "epsilon", "tool", *(f"{label} ratio" for _, label in COMPARED))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for dataset in datasets:
        for epsilon in epsilons:
            theirs = results.get((dataset, "pac-synth", epsilon))
            if theirs is None:
                continue
            for (d, tool, e), mean in results.items():
                if (d, e) != (dataset, epsilon) or tool == "pac-synth":
                    continue
                cells = [dataset, f"{epsilon:g}", tool, *(ratio(mean[k], theirs[k]) for k, _ in COMPARED)]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def pacsynth_available() -> bool:
    try:
        import pacsynth  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--epsilons", nargs="+", type=float, default=[1.0, 4.0, 12.0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--compare", action="store_true", help="also print ours / pac-synth ratios (adds pac-synth to the tools)"
    )
    parser.add_argument(
        "--option", action="append", default=[], metavar="NAME=VALUE", help="keyword option of our synthesizers (JSON)"
    )
    parser.add_argument("--worker", nargs=4, metavar=("DATASET", "TOOL", "EPSILON", "SEED"), help=argparse.SUPPRESS)
    parser.add_argument("--worker-options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        dataset, tool, epsilon, seed = args.worker
        print(json.dumps(worker(dataset, tool, float(epsilon), int(seed), json.loads(args.worker_options))))
        return
    options = {name: json.loads(value) for name, _, value in (item.partition("=") for item in args.option)}
    if args.compare and "pac-synth" not in args.tools:
        args.tools.append("pac-synth")
    tools = [t for t in args.tools if t != "pac-synth" or pacsynth_available()]
    if len(tools) < len(args.tools):
        print("pac-synth is not installed (optional 'bench' extra): skipped", file=sys.stderr)
        if args.compare:
            print("--compare needs pac-synth: no ratio table", file=sys.stderr)
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    results: Results = {}
    for dataset in args.datasets:
        if dataset in ("dense", "dense_declared", "ctdc") and not DATA.exists():
            print(f"{DATA} not found: skipped {dataset}", file=sys.stderr)
            continue
        own = run_worker(dataset, "input", 0.0, 0)
        if own is not None:
            results[(dataset, "input", None)] = own
            lines.append(table_row(dataset, "input", None, own))
            print(lines[-1], file=sys.stderr, flush=True)
        for tool in tools:
            for epsilon in args.epsilons:
                runs = [r for s in args.seeds if (r := run_worker(dataset, tool, epsilon, s, options)) is not None]
                if not runs:
                    continue
                mean = {k: np.mean([r[k] for r in runs], axis=0) for k in runs[0]}
                results[(dataset, tool, epsilon)] = mean
                lines.append(table_row(dataset, tool, epsilon, mean))
                print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))
    if args.compare and "pac-synth" in tools:
        print()
        print(compare_table(results, args.datasets, args.epsilons))
    for tool in tools:
        if tool != "pac-synth":
            print()
            print(targets_table(results, tool))


if __name__ == "__main__":
    main()
