"""One-off k-anonymity releases: k-anonymous aggregates and synthetic records written to a chosen folder.

These are *not* DP and never go to the dashboard's data directory (an ``out_dir`` inside it is refused).
Every synthetic combination occurs at least k times in the private data (SDS sections 5.1-5.4); the
evaluation against the private data goes to the private workspace only. Each bundle is recorded in the
privacy-budget ledger as a non-DP use of its source (name and input fingerprint): after it, the source's DP
releases have no guarantee left, and a DP refresh of it is refused unless overridden (:mod:`synth.ledger`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from synth import ledger
from synth.aggregates import aggregate, protect_k_anonymity
from synth.combos import check_cost
from synth.errors import InputError
from synth.evaluate import kanon_report, synthetic_aggregates
from synth.formulas import write_csv
from synth.ingest import read_private
from synth.kanon.synthesizers import KANON_SYNTHESIZERS
from synth.locks import exclusive
from synth.public import public_schema, restrict_records, synthetic_tables
from synth.refresh import LOCK
from synth.release import utc_now
from synth.risk import risk_report
from synth.spec import DatasetSpec, dataset_name

log = logging.getLogger(__name__)


def kanon_release(
    input_path: Path,
    spec: DatasetSpec,
    out_dir: Path,
    private_dir: Path,
    *,
    mode: str,
    resolution: int,
    reporting_length: int,
    seed: int | None,
    data_dir: Path | None = None,
) -> Path:
    """Synthesize with a k-anonymity mode and write the one-off bundle into ``out_dir`` (must not exist).

    ``out_dir`` must not lie inside ``data_dir`` (the served release folder). The use of the source is
    recorded in the ledger of ``private_dir`` before the bundle is written.
    """
    if mode not in KANON_SYNTHESIZERS:
        raise InputError(f"unknown k-anonymity mode {mode!r}; choose one of {sorted(KANON_SYNTHESIZERS)}")
    if resolution < 1:
        raise InputError(f"--resolution must be at least 1, got {resolution}")
    out_dir = Path(out_dir)
    if data_dir is not None:
        served, target = Path(data_dir).resolve(), out_dir.resolve()
        if target == served or served in target.parents:
            raise InputError(
                f"output folder {out_dir} is inside the data directory {data_dir}, which is served; "
                "k-anonymity bundles are not DP: write them elsewhere"
            )
    if out_dir.exists():
        raise InputError(f"output folder {out_dir} already exists; one-off releases are never overwritten")
    with exclusive(Path(private_dir) / LOCK, "refresh or k-anonymity bundle using this private workspace"):
        return _kanon_release(input_path, spec, out_dir, Path(private_dir), mode, resolution, reporting_length, seed)


def _kanon_release(
    input_path: Path,
    spec: DatasetSpec,
    out_dir: Path,
    private_dir: Path,
    mode: str,
    resolution: int,
    reporting_length: int,
    seed: int | None,
) -> Path:
    # Ingest randomness (DP quantile bin edges) comes from fresh OS entropy, as in a DP refresh; the seed
    # drives only the k-anonymity synthesis.
    ingested = read_private(Path(input_path), spec, rng=np.random.default_rng())
    data = ingested.data
    check_cost(data, reporting_length, spec.max_combinations)
    rng = np.random.default_rng(seed)
    options = {"reporting_length": reporting_length} if mode in ("value_seeded", "aggregate_seeded") else {}
    synthetic = KANON_SYNTHESIZERS[mode](data, resolution, rng, **options)
    sensitive = aggregate(data, reporting_length)
    reportable = protect_k_anonymity(sensitive, resolution)

    # Name only attributes with a k-anonymous count: an expanded multi-value column's name carries a value.
    schema, remap = public_schema(reportable)

    # Conservative accounting, as a refresh: the use is recorded before the bundle exists.
    source = dataset_name(spec, input_path)
    ledger.aliases(private_dir, source, ingested.fingerprint)
    if ledger.usage(private_dir, source, ingested.fingerprint).releases:
        log.warning("a non-DP bundle of %r voids the DP guarantee of its published releases", source)
    ledger.record(
        private_dir,
        source,
        {
            "release_id": f"kanon-{out_dir.name}",
            "created_at": utc_now().isoformat().replace("+00:00", "Z"),
            "dp": False,
            "mechanism": "k-anonymity",
            "epsilon": None,
            "delta": None,
            "resolution": resolution,
            "fingerprint": ingested.fingerprint,
            "input": str(Path(input_path).resolve()),
            "out": str(out_dir.resolve()),
        },
        ledger.budget_of(private_dir, source),
        False,
    )
    out_dir.mkdir(parents=True)
    table = reportable.to_frame()[["combination", "count"]].rename(columns={"count": "protected_count"})
    write_csv(table, out_dir / "protected_aggregates.csv")
    tables = synthetic_tables(restrict_records(synthetic, schema, remap))
    tables["wide"].to_parquet(out_dir / "synthetic.parquet", index=False)
    write_csv(tables["condensed"], out_dir / "synthetic_condensed.csv")
    write_csv(tables["long"], out_dir / "synthetic_long.csv")
    (out_dir / "parameters.json").write_text(
        json.dumps(
            {
                "dataset": spec.name,
                "mode": mode,
                "privacy": "k-anonymity",
                "resolution": resolution,
                "reporting_length": reporting_length,
                "protected_number_of_records": reportable.n_records,
                "synthetic_records": synthetic.n_records,
            },
            indent=2,
        ),
        encoding="utf-8",
    )

    report_dir = Path(private_dir) / "reports" / f"kanon-{out_dir.name}"
    report_dir.mkdir(parents=True, exist_ok=True)
    risk = risk_report(data, reporting_length, resolution, sensitive)
    report = kanon_report(sensitive, synthetic_aggregates(synthetic, reporting_length), resolution, mode, risk)
    (report_dir / "private_report.json").write_text(
        json.dumps({"risk": risk, "evaluation": report}, indent=2, default=lambda v: v.tolist()), encoding="utf-8"
    )
    return out_dir
