"""Command line: ``python -m synth {sample,refresh,demo,releases,verify,ledger}``.

Bad input ends with one line on stderr naming file, row and column, and exit code 2; nothing is written.
An unexpected error (a bug) ends with one line and exit code 3; ``SYNTH_DEBUG=1`` shows its traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import typing
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from synth.errors import BudgetError, InputError, one_line

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
#: Set (to anything but "" or "0") to see the traceback of an unexpected error.
DEBUG_ENV = "SYNTH_DEBUG"
DEFAULT_DATA_DIR = "var/data"
DEFAULT_PRIVATE_DIR = "var/private"
SAMPLE_FILE = "sample/sample_cases.csv"


def _data_dir(value: Path | None) -> Path:
    return Path(value or os.environ.get("SHOWCASE_DATA_DIR", DEFAULT_DATA_DIR))


def _private_dir(value: Path | None) -> Path:
    return Path(value or os.environ.get("SHOWCASE_PRIVATE_DIR", DEFAULT_PRIVATE_DIR))


def _multi_value(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        col, sep, delim = item.partition("=")
        if not sep or not col or not delim:
            raise InputError(f"--multi-value expects COLUMN=DELIMITER, got {item!r}")
        out[col] = delim
    return out


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``<prog>: error: ...``) and exit code 2, no usage text."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see --help)\n")


def _int_in(minimum: int, maximum: int | None = None) -> typing.Callable[[str], int]:
    """An argparse type: an integer in ``minimum..maximum``, else a one-line error naming the option."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f">= {minimum}" if maximum is None else f"in {minimum}..{maximum:,}"
            raise argparse.ArgumentTypeError(f"must be an integer {bounds}, got {value}")
        return value

    return parse


_non_negative_int, _positive_int = _int_in(0), _int_in(1)
#: The sample generator's most victims (a bigger sample is a benchmark's job, not the demo's).
MAX_VICTIMS = 5_000_000
_victims = _int_in(1, MAX_VICTIMS)


def _path(text: str) -> Path:
    """An argparse type: a path, without the NUL character no file name can hold."""
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path cannot contain a NUL character")
    return Path(text)


def _add_dirs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=_path, help=f"release folder (env SHOWCASE_DATA_DIR, default {DEFAULT_DATA_DIR})")
    p.add_argument(
        "--private-dir",
        type=_path,
        help=f"private workspace: ledger, private reports (env SHOWCASE_PRIVATE_DIR, default {DEFAULT_PRIVATE_DIR})",
    )


def _add_dp(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("differential privacy")
    g.add_argument("--epsilon", type=float, default=4.0, help="total epsilon of this release (default 4)")
    g.add_argument(
        "--delta",
        type=float,
        help="delta (default from public values only: 1/(n_max * ln n_max) with n_max the spec's "
        "dataset.max_records, else 1e-6)",
    )
    g.add_argument(
        "--reporting-length", type=_positive_int, default=3, help="longest published combination (default 3)"
    )
    g.add_argument("--percentile-percentage", type=float, default=99.0)
    g.add_argument(
        "--percentile-epsilon-proportion",
        type=float,
        default=0.1,
        help="share of the marginals' zCDP budget spent on the contribution caps (default 0.1)",
    )
    g.add_argument("--number-of-records-epsilon-proportion", type=float, default=0.005)
    g.add_argument(
        "--accuracy-mode",
        default="prioritize_long",
        choices=["prioritize_long", "prioritize_short", "balanced", "custom"],
    )
    g.add_argument("--sigma-proportions", help="with --accuracy-mode custom: R comma-separated values > 0")
    g.add_argument(
        "--fabrication-mode",
        default="uncontrolled",
        choices=["uncontrolled", "progressive", "balanced", "minimize", "custom_fixed", "custom_adaptive"],
    )
    g.add_argument("--threshold-values", help="with a custom fabrication mode: LENGTH=VALUE,... for lengths 2..R")
    g.add_argument("--budget-epsilon", type=float, help="total epsilon budget of this source (stored in the ledger)")
    g.add_argument("--budget-delta", type=float, help="total delta budget of this source (stored in the ledger)")
    g.add_argument("--allow-over-budget", action="store_true", help="publish even past the budget (recorded)")


def _add_refresh_common(p: argparse.ArgumentParser) -> None:
    _add_dirs(p)
    _add_dp(p)
    p.add_argument("--synthesizer", help="synthesis method: gum (default), raked_marginals or aggregate_seeded")
    p.add_argument(
        "--synthesizer-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="synthesizer keyword option, value parsed as JSON (e.g. use_synthetic_counts=true)",
    )
    p.add_argument(
        "--seed",
        type=_non_negative_int,
        help="seed of the post-processing only (synthesis, sampling order); the DP noise always comes from "
        "fresh OS entropy, so two refreshes never publish the same aggregates (default: fresh randomness)",
    )


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input", type=_path, required=True, help="private input: CSV, TSV or Parquet")
    p.add_argument("--spec", type=_path, help="dataset spec (TOML)")
    p.add_argument("--name", help="dataset id (default: from the spec, else the file name)")
    p.add_argument("--subject-id", help="column whose equal values join rows into one subject")
    p.add_argument("--use-columns", help="comma-separated columns to use (default all)")
    p.add_argument(
        "--multi-value",
        action="append",
        default=[],
        metavar="COL=DELIM",
        help="declare a multi-value column (repeatable)",
    )
    p.add_argument("--sensitive-zeros", help="comma-separated columns where 0 is a value")
    p.add_argument("--delimiter", help="input delimiter (default: detected)")
    p.add_argument("--encoding", help="input encoding (default: detected)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m synth", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="generate the embedded sample of private case records (CSV)")
    p.add_argument("--out", type=_path, help=f"output CSV (default <private-dir>/{SAMPLE_FILE})")
    p.add_argument("--victims", type=_victims, default=20_000)
    p.add_argument("--seed", type=_non_negative_int, default=0)
    p.add_argument("--private-dir", type=_path)

    p = sub.add_parser(
        "refresh",
        help="publish a new release from a private input",
        description="Publish a new release from a private input. Prints the release folder on stdout and ends "
        "with a summary on stderr (private: it names the values that failed the threshold; also stored in "
        "<private-dir>/reports/<release id>/private_report.json, never in the release).",
    )
    _add_input(p)
    _add_refresh_common(p)

    p = sub.add_parser("kanon", help="one-off k-anonymity synthesis into a new folder (not DP, never served)")
    _add_input(p)
    p.add_argument("--out", type=_path, required=True, help="new output folder, outside the data directory")
    p.add_argument("--mode", default="row_seeded", help="row_seeded, unseeded, value_seeded or aggregate_seeded")
    p.add_argument("--resolution", type=_positive_int, default=10, help="privacy resolution k (default 10)")
    p.add_argument("--reporting-length", type=_positive_int, default=3)
    p.add_argument(
        "--seed",
        type=_non_negative_int,
        help="seed of the k-anonymity synthesis only; ingest randomness (DP quantile bins) always comes from "
        "fresh OS entropy (default: fresh randomness)",
    )
    _add_dirs(p)

    p = sub.add_parser("demo", help="generate the sample data and refresh a release from it if none exists")
    p.add_argument("--victims", type=_victims, default=20_000)
    p.add_argument("--force", action="store_true", help="refresh even if a release exists")
    _add_refresh_common(p)

    p = sub.add_parser("releases", help="list published releases")
    _add_dirs(p)
    p = sub.add_parser("verify", help="check the checksums of the current release")
    _add_dirs(p)
    p = sub.add_parser("ledger", help="show the privacy budget spent per source")
    _add_dirs(p)
    return parser


def _synthesizer_options(items: list[str]) -> dict:
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or not name:
            raise InputError(f"--synthesizer-option expects NAME=VALUE, got {item!r}")
        try:
            out[name] = json.loads(text)
        except json.JSONDecodeError:
            out[name] = text
    return out


def _threshold_values(text: str | None) -> dict[int, float] | None:
    if not text:
        return None
    try:
        return {int(k): float(v) for k, v in (item.split("=") for item in text.split(","))}
    except ValueError:
        raise InputError(f"--threshold-values expects LENGTH=VALUE,..., got {text!r}") from None


def _sigma_proportions(text: str | None) -> tuple[float, ...] | None:
    if not text:
        return None
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--sigma-proportions expects comma-separated numbers, got {text!r}") from None


def _spec_overrides(args: argparse.Namespace) -> dict:
    out = {
        "name": args.name,
        "subject_id": args.subject_id,
        "delimiter": args.delimiter,
        "encoding": args.encoding,
        "use_columns": args.use_columns.split(",") if args.use_columns else None,
        "sensitive_zeros": args.sensitive_zeros.split(",") if args.sensitive_zeros else None,
        "multi_value": _multi_value(args.multi_value) or None,
    }
    return {k: v for k, v in out.items() if v is not None}


def _refresh(args: argparse.Namespace, input_path: Path, spec: Path | None, overrides: dict) -> Path:
    from synth.dp import checked_params_of
    from synth.refresh import RefreshOptions, refresh
    from synth.synthesizers import DEFAULT_SYNTHESIZER

    params = checked_params_of(
        args,
        sigma_proportions=_sigma_proportions(args.sigma_proportions),
        threshold_values=_threshold_values(args.threshold_values),
    )
    options = RefreshOptions(
        input=input_path,
        spec=spec,
        spec_overrides=overrides,
        data_dir=_data_dir(args.data_dir),
        private_dir=_private_dir(args.private_dir),
        synthesizer=args.synthesizer or DEFAULT_SYNTHESIZER,
        synthesizer_options=_synthesizer_options(args.synthesizer_option),
        seed=args.seed,
        budget_epsilon=args.budget_epsilon,
        budget_delta=args.budget_delta,
        allow_over_budget=args.allow_over_budget,
    )
    published = refresh(options, params)
    # The summary ends every refresh, on stderr: it names suppressed values (private), so it goes to the
    # operator's terminal and the private report only; stdout stays the release folder alone, for scripts.
    from synth.summary import format_summary, read_summary

    print(format_summary(read_summary(options.private_dir, published.name)), file=sys.stderr)
    print(f"  serve it          python -m dashboard --data-dir {shlex.quote(str(options.data_dir))}", file=sys.stderr)
    return published


def _sample_path(private_dir: Path | None) -> Path:
    return _private_dir(private_dir) / SAMPLE_FILE


def run(args: argparse.Namespace) -> int:
    from synth import release

    if args.command == "sample":
        from synth.sample import write_sample

        out = write_sample(args.out or _sample_path(args.private_dir), args.victims, args.seed)
        print(out)
    elif args.command == "refresh":
        print(_refresh(args, args.input, args.spec, _spec_overrides(args)))
    elif args.command == "kanon":
        from synth.kanon.release import kanon_release
        from synth.spec import load_spec

        print(
            kanon_release(
                args.input,
                load_spec(args.spec, **_spec_overrides(args)),
                args.out,
                _private_dir(args.private_dir),
                mode=args.mode,
                resolution=args.resolution,
                reporting_length=args.reporting_length,
                seed=args.seed,
                data_dir=_data_dir(args.data_dir),
            )
        )
    elif args.command == "demo":
        from synth.sample import write_sample

        existing = release.current_release(_data_dir(args.data_dir))
        if existing and not args.force:
            print(f"release already published: {existing}")
            return 0
        sample = _sample_path(args.private_dir)
        if not sample.exists():
            write_sample(sample, args.victims, 0)
        spec = resources.files("synth") / "data" / "sample_spec.toml"
        with resources.as_file(spec) as spec_path:
            print(_refresh(args, sample, spec_path, {}))
    elif args.command == "releases":
        for item in release.list_releases(_data_dir(args.data_dir)):
            print(json.dumps(asdict(item)))
    elif args.command == "verify":
        current = release.current_release(_data_dir(args.data_dir))
        if current is None:
            print("no release published", file=sys.stderr)
            return 1
        bad = release.verify_release(current)
        print(f"{current.name}: " + ("intact" if not bad else "CORRUPT: " + ", ".join(bad)))
        return 1 if bad else 0
    elif args.command == "ledger":
        from synth.ledger import summary

        print(json.dumps(summary(_private_dir(args.private_dir)), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return run(args)
    except (InputError, BudgetError) as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        # A bug, not bad input: a distinct exit code and message, never silently mistaken for exit 2.
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        print(
            f"internal error (a bug, please report it): {one_line(f'{type(exc).__name__}: {exc}')}; "
            f"set {DEBUG_ENV}=1 for the traceback",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
