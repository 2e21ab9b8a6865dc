"""One-off k-anonymity releases: k-anonymous aggregates and synthetic records written to a chosen folder.

These are *not* DP and never go to the dashboard's data directory. Every synthetic combination occurs at
least k times in the private data (SDS sections 5.1-5.4); the evaluation against the private data goes to
the private workspace only.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from synth.aggregates import aggregate, protect_k_anonymity
from synth.errors import InputError
from synth.evaluate import kanon_report, synthetic_aggregates
from synth.ingest import read_private
from synth.kanon.synthesizers import KANON_SYNTHESIZERS
from synth.public import public_schema, restrict_records, synthetic_tables
from synth.risk import risk_report
from synth.spec import DatasetSpec


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
) -> Path:
    """Synthesize with a k-anonymity mode and write the one-off bundle into ``out_dir`` (must not exist)."""
    if mode not in KANON_SYNTHESIZERS:
        raise InputError(f"unknown k-anonymity mode {mode!r}; choose one of {sorted(KANON_SYNTHESIZERS)}")
    if resolution < 1:
        raise InputError(f"--resolution must be at least 1, got {resolution}")
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise InputError(f"output folder {out_dir} already exists; one-off releases are never overwritten")
    # Ingest randomness (DP quantile bin edges) comes from fresh OS entropy, as in a DP refresh; the seed
    # drives only the k-anonymity synthesis.
    data = read_private(Path(input_path), spec, rng=np.random.default_rng()).data
    rng = np.random.default_rng(seed)
    options = {"reporting_length": reporting_length} if mode in ("value_seeded", "aggregate_seeded") else {}
    synthetic = KANON_SYNTHESIZERS[mode](data, resolution, rng, **options)
    sensitive = aggregate(data, reporting_length)
    reportable = protect_k_anonymity(sensitive, resolution)

    # Name only attributes with a k-anonymous count: an expanded multi-value column's name carries a value.
    schema, remap = public_schema(reportable)
    out_dir.mkdir(parents=True)
    table = reportable.to_frame()[["combination", "count"]].rename(columns={"count": "protected_count"})
    table.to_csv(out_dir / "protected_aggregates.csv", index=False)
    tables = synthetic_tables(restrict_records(synthetic, schema, remap))
    tables["wide"].to_parquet(out_dir / "synthetic.parquet", index=False)
    tables["condensed"].to_csv(out_dir / "synthetic_condensed.csv", index=False)
    tables["long"].to_csv(out_dir / "synthetic_long.csv", index=False)
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
