"""One refresh: private input -> DP aggregates -> synthetic records -> evaluation -> atomic release.

Everything that reaches ``data_dir`` is DP-protected or derived only from DP-protected values; reports that
compare with the private input go to ``private_dir`` only, and so does the refresh summary
(:mod:`synth.summary`, section ``summary`` of the private report), which names the suppressed values.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import typing
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from synth import __version__, ledger
from synth import release_format as fmt
from synth.aggregates import aggregate
from synth.combos import check_cost
from synth.dp import DpParams, dp_aggregates
from synth.errors import InputError
from synth.evaluate import private_report, public_report
from synth.ingest import read_private
from synth.locks import exclusive
from synth.public import aggregates_table, lift_aggregates, public_schema, restrict_aggregates, synthetic_tables
from synth.release import copy_release, json_default, new_release_id, remove_stale_temporaries, utc_now, write_release
from synth.release_format import (
    FORMAT_VERSION,
    ColumnInfo,
    DatasetInfo,
    PrivacyInfo,
    ReleaseMetadata,
    SchemaInfo,
    SynthesisInfo,
)
from synth.risk import risk_report
from synth.spec import dataset_name, load_spec
from synth.summary import build_summary, dropped_columns, private_report_path
from synth.synthesizers import DEFAULT_SYNTHESIZER, SYNTHESIZERS

log = logging.getLogger(__name__)
LOCK = ".refresh.lock"
#: The most synthetic records a release may hold (n', the DP record count, beyond it is refused as noise).
MAX_SYNTHETIC_RECORDS = 10_000_000

#: Called with a step name and the share of the pipeline done (0..1), e.g. by the console's progress bar.
Progress = Callable[[str, float], None]


def _no_progress(step: str, done: float) -> None:
    """The default progress callback: nothing to report."""


CITATION = (
    "Source: {title}, synthetic data and DP aggregates release {release_id} ({date}), "
    "produced with dp-showcase {version}."
)


@dataclass
class RefreshOptions:
    """Everything a refresh needs besides the DP parameters."""

    input: Path
    data_dir: Path
    private_dir: Path
    spec: Path | None = None
    spec_overrides: dict = field(default_factory=dict)
    synthesizer: str = DEFAULT_SYNTHESIZER
    synthesizer_options: dict = field(default_factory=dict)
    seed: int | None = None  # post-processing only; the DP noise always uses fresh OS entropy
    resolution: int = 10
    budget_epsilon: float | None = None
    budget_delta: float | None = None
    allow_over_budget: bool = False


def refresh(options: RefreshOptions, params: DpParams, progress: Progress = _no_progress) -> Path:
    """Run the whole pipeline and publish a new release; returns its folder.

    Holds an exclusive lock on the private workspace for the whole run (two refreshes cannot under-count
    the budget) and on the release folder from the end of the input checks (nor remove each other's
    half-written release; one from another workspace is refused before computing or charging anything).
    """
    _check_synthesizer(options)
    data_dir, private_dir = Path(options.data_dir).resolve(), Path(options.private_dir).resolve()
    if private_dir == data_dir or data_dir in private_dir.parents or private_dir in data_dir.parents:
        raise InputError("the private workspace and the release data directory must be separate folders")
    with exclusive(private_dir / LOCK, "refresh using this private workspace"), ExitStack() as data_lock:
        return _refresh(options, params, data_dir, private_dir, data_lock, progress)


def stage(options: RefreshOptions, params: DpParams, progress: Progress = _no_progress, lock_wait: float = 0.0) -> Path:
    """Like :func:`refresh`, but the release goes to ``options.data_dir`` *inside* the private workspace.

    A staged release (the console's run) holds DP outputs only, waits in the private workspace and is made
    public later with :func:`publish_staged`. Its DP step charges the ledger like a refresh. ``lock_wait``:
    seconds to wait for the private workspace's lock (a cancelled run's process may still be ending).
    """
    _check_synthesizer(options)
    run_dir, private_dir = Path(options.data_dir).resolve(), Path(options.private_dir).resolve()
    if private_dir not in run_dir.parents:
        raise InputError("a staged run must be written inside the private workspace")
    with exclusive(private_dir / LOCK, "run using this private workspace", lock_wait), ExitStack() as data_lock:
        return _refresh(options, params, run_dir, private_dir, data_lock, progress)


def publish_staged(staged: Path, data_dir: Path) -> Path:
    """Make a staged release (from :func:`stage`) the current release of ``data_dir``; returns the copy."""
    with exclusive(Path(data_dir) / LOCK, "refresh publishing to this data directory"):
        remove_stale_temporaries(Path(data_dir))
        return copy_release(Path(staged), Path(data_dir))


def _check_synthesizer(options: RefreshOptions) -> None:
    if options.synthesizer not in SYNTHESIZERS:
        raise InputError(f"unknown synthesizer {options.synthesizer!r}; choose one of {sorted(SYNTHESIZERS)}")
    check_synthesizer_options(options.synthesizer, options.synthesizer_options)


def _refresh(
    options: RefreshOptions,
    params: DpParams,
    data_dir: Path,
    private_dir: Path,
    data_lock: ExitStack,
    progress: Progress,
) -> Path:
    progress("reading the input", 0.0)
    spec = load_spec(options.spec, **options.spec_overrides)
    source = dataset_name(spec, options.input)
    budget = ledger.budget_of(private_dir, source, options.budget_epsilon, options.budget_delta)
    # Early refusal by name; the full check (with the input's fingerprint and the final spend) comes below.
    ledger.check(private_dir, source, params.epsilon, 0.0, budget, options.allow_over_budget)

    # DP noise (binning, n', percentiles, capping, Gaussian noise) always comes from fresh OS entropy;
    # --seed drives only post-processing (synthesis), which sees nothing but DP outputs.
    dp_rng = np.random.default_rng()
    post_rng = np.random.default_rng(options.seed)
    ingested = read_private(Path(options.input), spec, rng=dp_rng)
    data = ingested.data
    fingerprint = ingested.fingerprint
    ledger.aliases(private_dir, source, fingerprint)
    if spec.max_records is not None:
        # A public bound (it sets the default delta) that the input must respect; said to the operator only.
        if ingested.subjects > spec.max_records:
            raise spec.error(
                f"dataset.max_records is {spec.max_records} but the input has {ingested.subjects} subjects; "
                "raise max_records (a public upper bound, it sets the default delta)"
            )
        params = replace(params, max_records=spec.max_records)
    epsilon_total = params.epsilon + ingested.binning_epsilon
    # Cap R by the number of used source columns (public: from the header and spec), not by the encoded
    # columns, whose number depends on which multi-value values occur in the private data.
    params = params.capped(len(ingested.column_labels))
    check_cost(data, params.reporting_length, spec.max_combinations)
    # The input is valid: lock the data directory before any DP work or charge, so that a refresh from another
    # private workspace publishing there now is refused here, not after spending budget.
    data_lock.enter_context(exclusive(data_dir / LOCK, "refresh publishing to this data directory"))
    now = utc_now()
    release_id = new_release_id(source, now)
    created_at = now.isoformat().replace("+00:00", "Z")
    entry = {
        "release_id": release_id,
        "created_at": created_at,
        "fingerprint": fingerprint,
        "input": str(Path(options.input).resolve()),
    }
    if ingested.binning_epsilon > 0:
        # DP quantile binning has drawn its noise: charge its epsilon now, so that a run stopped before the
        # marginals' noise (a crash, a cancelled console run) is not under-counted. The marginals' step below
        # completes this same entry. Refused here, before any charge, when the whole release would not fit.
        over_budget = ledger.check(
            private_dir, source, epsilon_total, 0.0, budget, options.allow_over_budget, fingerprint=fingerprint
        )
        binning = {**entry, "mechanism": "DP quantile binning", "epsilon": ingested.binning_epsilon, "delta": 0.0}
        ledger.record(private_dir, source, binning, budget, over_budget)

    progress("counting and privacy-risk analysis", 0.15)
    sensitive = aggregate(data, params.reporting_length)
    risk = risk_report(data, params.reporting_length, options.resolution, sensitive)
    progress("DP aggregates", 0.35)
    dp = dp_aggregates(data, params, dp_rng, max_attributes=ingested.max_attributes)
    n_records = dp.aggregates.n_records
    if not 1 <= n_records <= MAX_SYNTHETIC_RECORDS:
        # Said to the operator only; nothing is published, and nothing more is charged (the DP outputs are
        # discarded; the binning epsilon, if any, was charged above). A huge n' is noise too (a tiny epsilon
        # share): the synthesizer could not allocate it.
        beyond = f", more than the {MAX_SYNTHETIC_RECORDS:,} records a release can hold" if n_records > 1 else ""
        raise InputError(
            f"the DP record count n' came out {n_records}{beyond} (the noise is large for {ingested.subjects} "
            "subjects at this epsilon); raise --epsilon or --number-of-records-epsilon-proportion, or use more data"
        )
    noise_sd = list(dp.report["noise_sd"])
    delta = float(dp.report["delta"])
    # The binning part is already in the ledger (above): check what the marginals add.
    over_budget = ledger.check(
        private_dir, source, params.epsilon, delta, budget, options.allow_over_budget, fingerprint=fingerprint
    )
    # Conservative accounting: the spend is recorded as soon as the noise is drawn, before the synthesis and
    # long before the release exists, so a crash or a cancelled run can only over-count, never under-count.
    ledger.settle(
        private_dir,
        source,
        {**entry, "dp": True, "mechanism": dp.report["mechanism"], "epsilon": epsilon_total, "delta": delta},
        budget,
        over_budget,
    )
    progress("synthesis", 0.5)
    schema, remap = public_schema(dp.aggregates)
    lost = dropped_columns(ingested.column_labels, data.schema, schema)
    if lost:
        # Source column names are public (the header); which values failed is private: the summary says it.
        log.warning("columns without any published value, left out of the release: %s", ", ".join(lost))
    published = restrict_aggregates(dp.aggregates, schema, remap)
    # The synthesizer sees only the published aggregates, on the public schema.
    records = SYNTHESIZERS[options.synthesizer](
        published,
        post_rng,
        noise_sd=noise_sd,
        progress=lambda share: progress("synthesis", 0.5 + 0.3 * share),
        **options.synthesizer_options,
    )
    progress("evaluation", 0.8)
    synthetic_agg = aggregate(records, params.reporting_length)
    # The cumulative spend of the source, this release included (recorded above): sums of epsilons and deltas.
    used = ledger.usage(private_dir, source, fingerprint)
    if used.void:
        log.warning("publishing %r although a non-DP bundle of it voids its DP guarantee (overridden)", source)

    title = ingested.title
    metadata = ReleaseMetadata(
        format_version=FORMAT_VERSION,
        release_id=release_id,
        created_at=created_at,
        software_version=__version__,
        dataset=DatasetInfo(
            name=source,
            title=title,
            citation=CITATION.format(title=title, release_id=release_id, date=now.date(), version=__version__),
        ),
        privacy=PrivacyInfo(
            **dp.report,
            binning_epsilon=ingested.binning_epsilon,
            epsilon_total=epsilon_total,
            composition="basic sequential composition across releases",
            cumulative_epsilon=None if used.void else used.epsilon,
            cumulative_delta=None if used.void else used.delta,
        ),
        schema=SchemaInfo(
            [
                ColumnInfo(**col, label=ingested.column_labels.get(col["source"], col["source"]))
                for col in schema.to_dict()
            ]
        ),
        synthesis=SynthesisInfo(
            method=options.synthesizer,
            options=synthesizer_parameters(options.synthesizer, options.synthesizer_options),
            n_records=records.n_records,
        ),
        files={},
    )
    tables = synthetic_tables(records)
    evaluation = public_report(published, synthetic_agg, noise_sd, options.resolution)

    progress("writing", 0.9)
    removed = remove_stale_temporaries(data_dir)
    if removed:
        log.warning("removed leftovers of an interrupted refresh: %s", ", ".join(removed))
    release = write_release(
        data_dir,
        metadata,
        tables={
            fmt.AGGREGATES: aggregates_table(published, noise_sd),
            fmt.SYNTHETIC: tables["wide"],
            fmt.SYNTHETIC_CONDENSED: tables["condensed"],
            fmt.SYNTHETIC_LONG: tables["long"],
        },
        documents={fmt.EVALUATION: evaluation},
    )

    report = private_report_path(private_dir, release_id)
    report.parent.mkdir(parents=True, exist_ok=True)
    private = {
        "input": {"path": str(Path(options.input).resolve()), **ingested.private_facts()},
        "risk": risk,
        "evaluation": private_report(
            sensitive, dp.aggregates, lift_aggregates(synthetic_agg, data.schema, remap), options.resolution, risk
        ),
        "dp_params": asdict(params),
        # Private: names the suppressed values. Printed to the operator's terminal by the CLI.
        "summary": build_summary(
            metadata=metadata,
            used_columns=ingested.column_labels,
            private=data.schema,
            public=schema,
            budget=budget,
            spent=ledger.usage(private_dir, source, fingerprint),
            zero_shares=ingested.zero_shares,
            zero_heavy=ingested.zero_heavy,
        ),
    }
    report.write_text(json.dumps(private, indent=2, default=json_default), encoding="utf-8")
    progress("done", 1.0)
    return release


#: Largest integer a synthesizer option takes (rounds, sweeps, batch sizes, target record counts).
MAX_OPTION_INT = 10_000_000


def check_synthesizer_options(method: str, options: dict) -> None:
    """InputError unless every option is a parameter of ``method`` and has the kind its annotation names: one of
    the values of a ``Literal``, a boolean for a ``bool``, an integer for an ``int``, else a number; null too
    where the annotation allows None (automatic); numbers in 0..:data:`MAX_OPTION_INT`. Finer ranges are the
    synthesizer's own checks."""
    parameters = _keyword_parameters(method)
    unknown = set(options) - set(parameters)
    if unknown:
        raise InputError(
            f"unknown option(s) {sorted(unknown)} for synthesizer {method!r}; it takes {sorted(parameters)}"
        )
    hints = typing.get_type_hints(SYNTHESIZERS[method])
    for name, value in options.items():
        hint = hints[name]
        kinds = set(typing.get_args(hint)) if typing.get_origin(hint) is not None else {hint}
        nullable = type(None) in kinds or parameters[name].default is None
        if typing.get_origin(hint) is typing.Literal:
            ok = isinstance(value, str) and value in kinds
            kind = " or ".join(json.dumps(v) for v in typing.get_args(hint))
        elif bool in kinds:
            ok = isinstance(value, bool)
            kind = "true or false"
        elif int in kinds:
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_OPTION_INT
            kind = f"an integer in 0..{MAX_OPTION_INT:,}"
        else:  # a float: a count or a factor
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = number and math.isfinite(value) and 0 <= value <= MAX_OPTION_INT
            kind = f"a number in 0..{MAX_OPTION_INT:,}"
        if not (ok or (value is None and nullable)):
            raise InputError(f"synthesizer option {name} must be {kind}{' or null' if nullable else ''}, got {value!r}")


def _keyword_parameters(method: str) -> dict[str, inspect.Parameter]:
    """The synthesizer's keyword parameters with a default, without ``noise_sd`` (it is in the privacy section
    already) and ``progress`` (a callback the refresh passes, not a choice)."""
    return {
        name: p
        for name, p in inspect.signature(SYNTHESIZERS[method]).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
        and p.default is not inspect.Parameter.empty
        and name not in ("noise_sd", "progress")
    }


def synthesizer_parameters(method: str, options: dict) -> dict:
    """Every keyword parameter of the synthesizer as it runs: its defaults overridden by ``options``."""
    return {**{name: p.default for name, p in _keyword_parameters(method).items()}, **options}
