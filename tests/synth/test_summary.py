"""Issue 9, unseen schemas: the refresh summary. A column whose values all fail the threshold is named, the
summary's numbers are the metadata's and the ledger's, and nothing of it reaches the release folder."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synth import ledger, release
from synth.encode import Column, Schema
from synth.ledger import Budget, Usage
from synth.summary import PRIVATE, dropped_columns, format_summary, private_report_path, suppressed_values

N = 3000
RARE = [f"Smith{i}" for i in range(0, N, 50)]  # one subject each: far below any threshold
SPEC = """
[dataset]
name = "unseen"
[bins.age]
method = "edges"
edges = [0, 18, 60, 120]
null = "N"
null_bin = "Unknown"
"""


def run_synth(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth", *args], capture_output=True, text=True, cwd=cwd)


def refresh_args(root: Path, *extra: str) -> list[str]:
    return [
        "refresh",
        "--input",
        str(root / "private" / "cases.csv"),
        "--spec",
        str(root / "spec.toml"),
        "--data-dir",
        str(root / "data"),
        "--private-dir",
        str(root / "private"),
        *extra,
    ]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """An unseen table: an undeclared column whose values are all unique (``surname``), a kept column with one rare
    value (``region``: ``Atlantis`` twice), "0" most of ``kids`` and a null token in the binned ``age``."""
    root = tmp_path_factory.mktemp("unseen")
    rng = np.random.default_rng(9)
    region = rng.choice(["North", "South", "East"], N).astype(object)
    region[:2] = "Atlantis"
    frame = pd.DataFrame(
        {
            "gender": rng.choice(["F", "M"], N),
            "region": region,
            "kids": np.where(rng.random(N) < 0.7, "0", rng.choice(["1", "2", "3"], N)),
            "age": np.where(rng.random(N) < 0.1, "N", rng.integers(1, 90, N).astype(str)),
            "surname": [f"Smith{i}" if i % 50 == 0 else "" for i in range(N)],
        }
    )
    (root / "private").mkdir()
    frame.to_csv(root / "private" / "cases.csv", index=False)
    (root / "spec.toml").write_text(SPEC, encoding="utf-8")
    proc = run_synth(*refresh_args(root, "--epsilon", "2", "--seed", "1"), cwd=root)
    assert proc.returncode == 0, proc.stderr
    rel = release.current_release(root / "data")
    assert rel is not None
    report = json.loads(private_report_path(root / "private", rel.name).read_text(encoding="utf-8"))
    return root, proc, rel, report["summary"]


def test_cli_refresh_names_the_column_whose_values_all_failed_the_threshold(refreshed):
    _, proc, rel, summary = refreshed
    assert proc.stdout.strip() == str(rel)  # stdout stays the release folder alone
    assert "WARNING columns without any published value, left out of the release: surname" in proc.stderr
    assert f"columns dropped   surname (all {len(RARE)} value(s) failed the threshold)" in proc.stderr
    assert summary["columns"]["dropped"] == {"surname": f"all {len(RARE)} value(s) failed the threshold"}
    assert summary["columns"]["kept"] == ["gender", "region", "kids", "age"]
    assert sorted(summary["suppressed_values"]["surname"]["values"]) == sorted(RARE)
    # A rare value of a kept column is listed too.
    assert summary["suppressed_values"]["region"] == {"count": 1, "values": ["Atlantis"]}
    assert "    region: 1: Atlantis" in proc.stderr
    assert f"Refresh summary - {PRIVATE}" in proc.stderr
    # ... and ends with how to serve the release (issue 10)
    assert proc.stderr.rstrip().endswith(f"serve it          python -m dashboard --data-dir {rel.parent.parent}")


def test_summary_numbers_match_the_metadata_and_the_ledger(refreshed):
    root, proc, rel, summary = refreshed
    meta = release.read_metadata(rel)
    privacy = meta.privacy
    assert summary["release_id"] == rel.name == meta.release_id
    assert summary["synthetic_rows"] == meta.synthesis.n_records == len(pd.read_parquet(rel / "synthetic.parquet"))
    assert summary["protected_number_of_records"] == privacy.protected_number_of_records
    assert summary["noise_sd"] == privacy.noise_sd and summary["thresholds"] == privacy.thresholds
    assert summary["release"] == {"epsilon": 2.0, "binning_epsilon": 0.0, "delta": privacy.delta}
    spent = ledger.summary(root / "private")["unseen"]
    source = summary["source"]
    assert source["cumulative"] == {"epsilon": spent["epsilon_spent"], "delta": spent["delta_spent"]}
    assert source["cumulative"] == {"epsilon": privacy.cumulative_epsilon, "delta": privacy.cumulative_delta}
    assert source["budget"] == spent["budget"] == {"epsilon": 20.0, "delta": 1e-3}
    assert source["left"]["epsilon"] == pytest.approx(18.0)
    assert source["left"]["delta"] == pytest.approx(1e-3 - privacy.delta)
    assert {c.source for c in meta.schema.columns} == set(summary["columns"]["kept"])
    # The printed lines carry the same numbers.
    n_rows, n_dp = summary["synthetic_rows"], summary["protected_number_of_records"]
    assert f"synthetic rows    {n_rows} (DP record count n' = {n_dp})" in proc.stderr
    assert f"length 3: {privacy.noise_sd[2]:.3g}" in proc.stderr
    assert "source spend      epsilon 2 of 20 (18 left)" in proc.stderr


def test_a_second_refresh_reports_the_cumulative_spend_and_the_budget_left(refreshed, tmp_path):
    root, _, _, _ = refreshed
    for name in ("private", "data"):
        shutil.copytree(root / name, tmp_path / name, symlinks=True)
    shutil.copy(root / "spec.toml", tmp_path / "spec.toml")
    proc = run_synth(*refresh_args(tmp_path, "--epsilon", "1", "--budget-epsilon", "10"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rel = Path(proc.stdout.strip())
    summary = json.loads(private_report_path(tmp_path / "private", rel.name).read_text())["summary"]
    assert summary["source"]["releases"] == 2
    assert summary["source"]["cumulative"]["epsilon"] == pytest.approx(3.0)
    assert summary["source"]["left"]["epsilon"] == pytest.approx(7.0)
    assert release.read_metadata(rel).privacy.cumulative_epsilon == pytest.approx(3.0)
    assert "source spend      epsilon 3 of 10 (7 left)" in proc.stderr and "over 2 release(s)" in proc.stderr


def test_sensitive_zeros_warning_in_the_refresh(refreshed):
    _, proc, _, summary = refreshed
    assert "WARNING column 'kids': most of its non-empty cells are \"0\"" in proc.stderr
    assert "--sensitive-zeros kids" in proc.stderr
    assert len(summary["warnings"]) == 1 and "'kids'" in summary["warnings"][0]
    assert "gender" not in " ".join(summary["warnings"])


def test_null_bin_reaches_the_release_as_a_declared_value(refreshed):
    _, _, rel, summary = refreshed
    age = next(c for c in release.read_metadata(rel).schema.columns if c.source == "age")
    assert age.values == ["[0, 18)", "[18, 60)", "[60, 120]", "Unknown"] and age.declared
    assert "age" not in summary["suppressed_values"]
    assert (pd.read_parquet(rel / "synthetic.parquet")["age"] == "Unknown").sum() > 0


def test_nothing_of_the_summary_reaches_the_data_folder(refreshed):
    root, _, _, summary = refreshed
    texts = []
    for path in (root / "data").rglob("*"):
        if path.is_file():
            if path.suffix == ".parquet":
                frame = pd.read_parquet(path)
                texts.append(" ".join(map(str, frame.columns)) + "\n" + frame.to_csv(index=False))
            else:
                texts.append(path.read_text(encoding="utf-8"))
    text = "\n".join(texts)
    assert "North" in text  # the check reads real content
    for value in [*RARE, "Atlantis", "surname", "do not publish", "Refresh summary"]:
        assert value not in text, value
    # The private report has it all.
    assert "Smith50" in summary["suppressed_values"]["surname"]["values"]


# ------------------------------------------------------------------------------------------ unit


def test_suppressed_values_and_dropped_columns_of_multi_value_and_empty_columns():
    private = Schema(
        (
            Column("city", "city", ("a", "b", "rare")),
            Column("role_x", "role", ("1",), multi_value=True, delimiter=";"),
            Column("role_y", "role", ("1",), multi_value=True, delimiter=";"),
            Column("lone_q", "lone", ("1",), multi_value=True, delimiter=";"),
        )
    )
    public = Schema(
        (Column("city", "city", ("a", "b")), Column("role_y", "role", ("1",), multi_value=True, delimiter=";"))
    )
    assert suppressed_values(private, public) == {"city": ["rare"], "role": ["x"], "lone": ["q"]}
    assert dropped_columns(["city", "role", "lone", "empty"], private, public) == {
        "lone": "all 1 value(s) failed the threshold",
        "empty": "no value in the input",
    }


def _summary(**source) -> dict:
    return {
        "private": PRIVATE,
        "release_id": "r-1",
        "synthetic_rows": 10,
        "protected_number_of_records": 11,
        "columns": {"kept": ["a"], "dropped": {}, "published_encoded_columns": 1},
        "suppressed_values": {"a": {"count": 25, "values": [f"v{i}" for i in range(25)]}},
        "noise_sd": [1.5],
        "thresholds": [3.0],
        "threshold_type": "adaptive",
        "release": {"epsilon": 1.0, "binning_epsilon": 0.0, "delta": 1e-6},
        "source": {
            "releases": 1,
            "cumulative": None,
            "budget": {"epsilon": 20.0, "delta": 1e-3},
            "left": None,
            "guarantee": "void: a non-DP k-anonymity bundle of this source exists",
            **source,
        },
        "warnings": [],
    }


def test_format_summary_lists_at_most_20_values_and_says_a_void_guarantee():
    text = format_summary(_summary())
    assert "    a: 25: v0, v1" in text and "v19, ... (5 more in the private report)" in text and "v20" not in text
    assert "columns dropped   none" in text
    assert "source spend      void: a non-DP k-anonymity bundle of this source exists" in text


def test_format_summary_shows_lengths_without_a_threshold():
    # A length whose cap was 0 (or without candidates) has no threshold: printed as "-", not a crash.
    text = format_summary({**_summary(), "noise_sd": [1.5, 0.0], "thresholds": [3.0, None]})
    assert "thresholds        length 1: 3, length 2: - (adaptive)" in text
    assert "noise SD          length 1: 1.5, length 2: 0" in text


def test_build_summary_uses_the_usage_after_this_release():
    from synth.summary import build_summary

    class Meta:  # the attributes build_summary reads
        release_id = "r-1"

        class dataset:
            name = "d"

        class synthesis:
            n_records = 5

        class privacy:
            protected_number_of_records = 6
            noise_sd = [1.0]
            thresholds = [2.0]
            threshold_type = "fixed"
            epsilon_total = 1.0
            binning_epsilon = 0.0
            delta = 1e-6

    schema = Schema((Column("a", "a", ("x",)),))
    out = build_summary(
        metadata=Meta,  # type: ignore[arg-type]
        used_columns=["a"],
        private=schema,
        public=schema,
        budget=Budget(5.0, 1e-3),
        spent=Usage(4.0, 2e-6, 2, 0, ("d",)),
        zero_shares={"a": 0.8},
        zero_heavy=["a"],
    )
    assert out["source"]["left"] == {"epsilon": 1.0, "delta": pytest.approx(1e-3 - 2e-6)}
    assert out["warnings"] == [
        "column 'a': 80% of its non-empty cells are \"0\", read as absent; if 0 is a value there, list the "
        "column in dataset.sensitive_zeros"
    ]
