"""Small hand-made releases for dashboard tests, written with synth.release.write_release."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from synth import release_format as fmt
from synth.release import new_release_id, write_release
from synth.release_format import (
    FORMAT_VERSION,
    ColumnInfo,
    DatasetInfo,
    PrivacyInfo,
    ReleaseMetadata,
    SchemaInfo,
    SynthesisInfo,
)

#: Ordinary columns (name, label, values) and multi-value sources (source, label, values), schema order.
COLUMNS = [
    ("yearRegister", "Year of registration", ["2019", "2020"]),
    ("gender", "Gender", ["Female", "Male"]),
    ("ageBroad", "Age", ["09--17", "18--20"]),
    ("CountryOfExploitation", "Country of exploitation", ["PHL", "UKR", "USA"]),
]
MULTI = [("perpGender", "Perpetrator gender", ["Female", "Male"])]

#: Synthetic records (condensed: multi-value cells joined with ";").
RECORDS = [
    ("2019", "Female", "18--20", "USA", "Female"),
    ("2020", "Female", "18--20", "USA", "Female;Male"),
    ("2019", "Female", "09--17", "PHL", "Male"),
    ("2019", "Male", "18--20", "UKR", "Male"),
    ("2020", "Male", "09--17", "UKR", ""),
    ("2020", "Female", "", "USA", "Female"),
    ("2019", "Male", "18--20", "PHL", "Male"),
    ("2019", "Female", "18--20", "USA", ""),
]

#: Published DP aggregates (deliberately different from the synthetic counts). Keys are ``col:value``
#: with expanded multi-value columns. Absent on purpose: gender:Female;ageBroad:09--17 (suppressed) and
#: gender:Male;perpGender_Female:1.
AGGREGATES = {
    "yearRegister:2019": 55,
    "yearRegister:2020": 35,
    "gender:Female": 50,
    "gender:Male": 40,
    "ageBroad:09--17": 20,
    "ageBroad:18--20": 60,
    "CountryOfExploitation:PHL": 22,
    "CountryOfExploitation:UKR": 18,
    "CountryOfExploitation:USA": 45,
    "perpGender_Female:1": 30,
    "perpGender_Male:1": 44,
    "gender:Female;ageBroad:18--20": 33,
    "gender:Male;ageBroad:09--17": 12,
    "gender:Male;ageBroad:18--20": 25,
    "gender:Female;perpGender_Female:1": 21,
    "gender:Female;perpGender_Male:1": 14,
    "gender:Male;perpGender_Male:1": 28,
    "yearRegister:2019;gender:Female": 30,
    "yearRegister:2019;gender:Male": 24,
    "yearRegister:2020;gender:Female": 19,
    "yearRegister:2020;gender:Male": 15,
    "ageBroad:18--20;CountryOfExploitation:USA": 31,
    "perpGender_Female:1;perpGender_Male:1": 9,
}
NOISE_SD = [2.0, 3.0]
PROTECTED_RECORDS = 90


def schema_columns() -> list[dict]:
    cols = [
        {"name": n, "source": n, "label": lab, "values": vals, "multi_value": False, "delimiter": None}
        for n, lab, vals in COLUMNS
    ]
    for source, lab, vals in MULTI:
        cols += [
            {
                "name": f"{source}_{v}",
                "source": source,
                "label": f"{lab}: {v}",
                "values": ["1"],
                "multi_value": True,
                "delimiter": ";",
            }
            for v in vals
        ]
    return cols


def synthetic_frame(records=RECORDS) -> pd.DataFrame:
    """Expanded synthetic table (null = absent)."""
    names = [c[0] for c in COLUMNS]
    rows = []
    for rec in records:
        row = {n: (v or None) for n, v in zip(names, rec, strict=False)}
        for (source, _, vals), cell in zip(MULTI, rec[len(names) :], strict=False):
            present = set(cell.split(";")) if cell else set()
            row.update({f"{source}_{v}": ("1" if v in present else None) for v in vals})
        rows.append(row)
    return pd.DataFrame(rows, columns=[c["name"] for c in schema_columns()], dtype=object)


def aggregates_frame(aggregates=AGGREGATES, noise_sd=NOISE_SD) -> pd.DataFrame:
    names = [c["name"] for c in schema_columns()]
    rows = []
    for combo, count in aggregates.items():
        parts = dict(p.split(":", 1) for p in combo.split(";"))
        rows.append(
            {
                "combination": combo,
                "length": len(parts),
                "count": count,
                "sd": noise_sd[len(parts) - 1],
                **{n: parts.get(n) for n in names},
            }
        )
    frame = pd.DataFrame(rows)
    frame["length"] = frame["length"].astype("int8")
    for n in names:
        frame[n] = frame[n].astype(object)
    return frame


def metadata(
    release_id: str,
    dataset: str = "sample",
    reporting_length: int = 2,
    n_synthetic: int = len(RECORDS),
    created_at: str | None = None,
) -> ReleaseMetadata:
    """Complete metadata of a hand-made release (the writer fills in ``files``)."""
    lengths = range(reporting_length)
    return ReleaseMetadata(
        format_version=FORMAT_VERSION,
        release_id=release_id,
        created_at=created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        software_version="0.1.0",
        dataset=DatasetInfo(name=dataset, title="Hand-made test records", citation="Test citation. Accessed [date]."),
        privacy=PrivacyInfo(
            mechanism="dp_marginals",
            epsilon=4.0,
            delta=1e-5,
            delta_source="user",
            reporting_length=reporting_length,
            protected_number_of_records=PROTECTED_RECORDS,
            budget_split={"epsilon_number_of_records": 0.4, "epsilon_marginals": 3.6, "rho": 0.1},
            sigma=[1.0, 1.0][:reporting_length],
            sigma_proportions=[1.0, 0.5][:reporting_length],
            contribution_caps=[4, 6][:reporting_length],
            noise_sd=NOISE_SD[:reporting_length],
            thresholds=[5.0, 0.0][:reporting_length],
            threshold_type="adaptive",
            threshold_values={"2": 1.0},
            accuracy_mode="prioritize_long",
            fabrication_mode="balanced",
            percentile_percentage=99.0,
            percentile_epsilon_proportion=0.01,
            number_of_records_epsilon_proportion=0.005,
            candidates=[None] + [10 for _ in lengths][1:],
            survivors=[10 for _ in lengths],
            published=[10 for _ in lengths],
            binning_epsilon=0.0,
            epsilon_total=4.0,
            composition="basic sequential composition across releases",
            cumulative_epsilon=12.0,
            cumulative_delta=3e-6,
        ),
        schema=SchemaInfo([ColumnInfo(**c) for c in schema_columns()]),
        synthesis=SynthesisInfo(method="dp_aggregate_seeded", options={}, n_records=n_synthetic),
        files={},
    )


EVALUATION = {
    "summary": {"mean_absolute_error": {"1": 4.5, "2": 6.25}},
    "by_length": [
        {"length": 1, "mae": 4.5, "suppressed_pct": 0.0, "fabricated_pct": 2.0},
        {"length": 2, "mae": 6.25, "suppressed_pct": 10.0, "fabricated_pct": 5.0},
    ],
}


def build_release(
    data_dir: Path,
    *,
    dataset: str = "sample",
    records=RECORDS,
    aggregates=AGGREGATES,
    reporting_length: int = 2,
    when: datetime | None = None,
) -> Path:
    """Write the hand-made release under ``data_dir`` and make it current; returns its folder."""
    created_at = when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None  # publication time (default: now)
    when = when or datetime.now(UTC)
    synthetic = synthetic_frame(records)
    names = [c[0] for c in COLUMNS] + [m[0] for m in MULTI]
    condensed = pd.DataFrame([dict(zip(names, r, strict=True)) for r in records])
    long_rows = [
        {"Id": i, "Attribute": col, "Value": val, "AttributeValue": f"{col}:{val}"}
        for i, row in enumerate(synthetic.to_dict("records"))
        for col, val in row.items()
        if val
    ]
    return write_release(
        Path(data_dir),
        metadata(new_release_id(dataset, when), dataset, reporting_length, len(records), created_at=created_at),
        tables={
            fmt.AGGREGATES: aggregates_frame(aggregates),
            fmt.SYNTHETIC: synthetic,
            fmt.SYNTHETIC_CONDENSED: condensed,
            fmt.SYNTHETIC_LONG: pd.DataFrame(long_rows),
        },
        documents={fmt.EVALUATION: EVALUATION},
    )
