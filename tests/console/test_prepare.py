"""Preview, suggestions, the spec built from the choices, and the live risk analysis, on hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.callbacks import doc_to_controls
from console.prepare import merge_spec, parse_spec, preview, risk_analysis, save_spec, spec_document
from synth.errors import InputError
from tests.console.conftest import write

CSV = "id,kids,roles,region\n1,0,a;b,N\n2,0,a,N\n3,0,,S\n4,2,b;c,S\n5,0,a,N\n"


def test_preview_counts_values_and_suggests_zeros_and_multi_value(tmp_path):
    pv = preview(write(tmp_path / "in.csv", CSV))
    assert (pv.file, pv.rows) == ("in.csv", 5)
    cols = {c.name: c for c in pv.columns}
    assert cols["id"].distinct == 5 and cols["region"].top == [("N", 3), ("S", 2)]
    assert cols["kids"].zero_share == 0.8 and cols["kids"].top == [("0", 4), ("2", 1)]
    assert cols["roles"].non_empty == 4 and cols["roles"].delimiter == ";"
    assert pv.suggested_zeros() == ["kids"]
    assert pv.suggested_multi_value() == {"roles": ";"}


def test_preview_reports_a_bad_file_with_its_name(tmp_path):
    with pytest.raises(InputError, match="in.xlsx"):
        preview(write(tmp_path / "in.xlsx", "x"))


def test_the_choices_become_a_spec_that_synth_loads(tmp_path):
    doc = spec_document(
        name="cases",
        subject_id="id",
        use_columns=["kids", "roles", "region"],
        sensitive_zeros=["kids"],
        multi_value={"roles": ";"},
        bins="kids = 0, 1, inf",
        domains="region = N, S, E",
    )
    spec = save_spec(doc, tmp_path / "specs" / "cases.toml")
    assert spec.name == "cases" and spec.subject_id == "id" and spec.sensitive_zeros == ("kids",)
    assert dict(spec.multi_value) == {"roles": ";"} and spec.bins["kids"].edges == (0.0, 1.0, float("inf"))
    assert spec.domains["region"].values == ("N", "S", "E")
    assert parse_spec((tmp_path / "specs" / "cases.toml").read_text(), "cases.toml") == doc


@pytest.mark.parametrize(
    ("bins", "domains", "problem"),
    [("kids 0, 1", "", "bins, line 1"), ("kids = a, b", "", "numbers"), ("", "region =", "domains, line 1")],
)
def test_bad_bins_or_domains_lines_are_named(bins, domains, problem):
    with pytest.raises(InputError, match=problem):
        spec_document(
            name="x",
            subject_id=None,
            use_columns=["kids"],
            sensitive_zeros=[],
            multi_value={},
            bins=bins,
            domains=domains,
        )


def test_an_unknown_column_in_the_spec_is_an_error_naming_it(tmp_path):
    doc = spec_document(name="x", subject_id=None, use_columns=["nope"], sensitive_zeros=[], multi_value={})
    spec = save_spec(doc, tmp_path / "x.toml")
    with pytest.raises(InputError, match="nope"):
        risk_analysis(write(tmp_path / "in.csv", CSV), spec, 2, 2)


def test_risk_analysis_of_the_chosen_columns(tmp_path):
    doc = spec_document(
        name="x", subject_id="id", use_columns=["region", "kids"], sensitive_zeros=["kids"], multi_value={}
    )
    report = risk_analysis(write(tmp_path / "in.csv", CSV), save_spec(doc, tmp_path / "x.toml"), 2, 2)
    # records: (N,0) x3, (S,0), (S,2): two records are unique at length 2 ((S,0) and (S,2)), (S,2) at length 1.
    assert report["n_records"] == 5 and report["records"]["with_unique"] == 2
    assert report["summary"].startswith("For all combinations of up to 2 attributes, 40.00% of records")
    assert {c["column"] for c in report["most_linkable_columns"]} == {"region", "kids"}


ROOT = Path(__file__).resolve().parents[2]
RICH = """
[dataset]
name = "rich"
title = "Rich spec"
subject_id = "id"
use_columns = ["age", "roles", "region", "kind"]
max_values = 3

[dataset.column_labels]
age = "Age"
roles = "Roles"

[max_values]
roles = 2

[multi_value]
roles = ";"

[bins.age]
method = "edges"
edges = [0.0, 18.0, 120.0]
labels = ["minor", "adult"]
null = "N"
null_bin = "Unknown"

[domains]
region = ["N", "S"]
kind = {file = "kinds.txt"}
"""


def _controls_kwargs(base: dict, columns: list[str] | None = None) -> dict:
    """The console's controls after loading ``base`` (the columns edited to ``columns``, if given)."""
    name, used, subject, zeros, multi, delimiter, bins, domains = doc_to_controls(base)
    used = columns or used
    return dict(
        name=name,
        subject_id=subject,
        use_columns=used,
        sensitive_zeros=zeros,
        multi_value={c: delimiter for c in multi if c in used or not used},
        bins=bins,
        domains=domains,
    )


def _through_the_controls(base: dict, columns: list[str] | None = None) -> dict:
    """What the console saves after loading ``base``; a spec without use_columns has every column chosen."""
    every = "use_columns" not in base["dataset"] and columns is None
    return merge_spec(base, spec_document(**_controls_kwargs(base, columns)), every_column=every)


@pytest.mark.parametrize("spec", ["specs/ctdc_vp.toml", "synth/data/sample_spec.toml"])
def test_a_shipped_spec_loaded_and_saved_again_keeps_every_key(tmp_path, spec):
    base = parse_spec((ROOT / spec).read_text(encoding="utf-8"), spec)
    saved = _through_the_controls(base)
    assert saved == base
    save_spec(saved, tmp_path / "again.toml")
    assert parse_spec((tmp_path / "again.toml").read_text(encoding="utf-8"), "again.toml") == base


def test_a_richer_spec_keeps_labels_max_values_bin_labels_nulls_and_domain_files_through_an_edit(tmp_path):
    base = parse_spec(RICH, "rich.toml")
    assert _through_the_controls(base) == base
    edited = _through_the_controls(base, ["age", "roles", "region"])  # "kind" dropped in the console
    assert edited["dataset"]["use_columns"] == ["age", "roles", "region"]
    assert edited["dataset"]["column_labels"] == {"age": "Age", "roles": "Roles"}
    assert edited["dataset"]["title"] == "Rich spec" and edited["dataset"]["max_values"] == 3
    assert edited["max_values"] == {"roles": 2}
    assert edited["bins"]["age"] == base["bins"]["age"]  # labels, null and null_bin kept
    assert edited["domains"]["kind"] == {"file": "kinds.txt"}
    rebinned = merge_spec(base, spec_document(**{**_controls_kwargs(base), "bins": "age = 0, 30, 120"}))
    assert rebinned["bins"]["age"] == {
        "method": "edges",
        "edges": [0.0, 30.0, 120.0],
        "null": "N",
        "null_bin": "Unknown",
    }
