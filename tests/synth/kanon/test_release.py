"""One-off k-anonymity bundles from the command line."""

import json
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from synth.__main__ import main
from synth.aggregates import aggregate
from synth.encode import encode_frame
from synth.ingest import read_private
from synth.sample import write_sample
from synth.spec import load_spec

SPEC = Path(str(resources.files("synth") / "data" / "sample_spec.toml"))


def test_kanon_bundle_holds_only_combinations_seen_at_least_k_times(tmp_path):
    source = write_sample(tmp_path / "private" / "cases.csv", n_victims=600, seed=4)
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[0, "perpRole"] = "ZZRare"  # a multi-value value seen once: its expanded column must not appear
    frame.to_csv(source, index=False)
    # perpRole's declared domain would refuse the planted value: leave it undeclared here. No subject is
    # subsampled (max_values above any set), so reading the input again below gives the bundle's records.
    spec = tmp_path / "spec.toml"
    text = re.sub(r"(?m)^perpRole = \[.*\n", "", SPEC.read_text(encoding="utf-8"))
    spec.write_text(text + "\n[max_values]\nmeansOfControl = 50\n", encoding="utf-8")
    out = tmp_path / "oneoff"
    code = main(
        [
            "kanon",
            "--input",
            str(source),
            "--spec",
            str(spec),
            "--out",
            str(out),
            "--mode",
            "row_seeded",
            "--resolution",
            "5",
            "--reporting-length",
            "2",
            "--seed",
            "1",
            "--private-dir",
            str(tmp_path / "private"),
        ]
    )
    assert code == 0
    params = json.loads((out / "parameters.json").read_text())
    assert params["privacy"] == "k-anonymity" and params["resolution"] == 5
    protected = pd.read_csv(out / "protected_aggregates.csv")
    assert (protected["protected_count"] % 5 == 0).all() and (protected["protected_count"] >= 5).all()

    private = read_private(source, load_spec(spec)).data
    wide = pd.read_parquet(out / "synthetic.parquet").fillna("")
    named = {item.split(":")[0] for combo in protected["combination"] for item in combo.split(";")}
    assert set(wide.columns) <= named  # no column named after a value rarer than k
    assert "perpRole_ZZRare" in private.schema.names and "perpRole_ZZRare" not in wide.columns
    wide = wide.reindex(columns=private.schema.names, fill_value="")
    synthetic = encode_frame(wide, list(private.schema.columns))
    sensitive = aggregate(private, 2)
    synth_agg = aggregate(synthetic, 2)
    for length in (1, 2):
        assert np.all(sensitive.counts_for(length, synth_agg.keys[length]) >= 5)
    assert list((tmp_path / "private" / "reports").iterdir())[0].name == "kanon-oneoff"


def test_kanon_refuses_to_overwrite_and_unknown_mode(tmp_path, capsys):
    source = write_sample(tmp_path / "cases.csv", n_victims=50, seed=1)
    (tmp_path / "exists").mkdir()
    assert main(["kanon", "--input", str(source), "--spec", str(SPEC), "--out", str(tmp_path / "exists")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (
        main(["kanon", "--input", str(source), "--spec", str(SPEC), "--out", str(tmp_path / "new"), "--mode", "bogus"])
        == 2
    )
    assert "unknown k-anonymity mode" in capsys.readouterr().err


def _kanon(source: Path, out: Path, private: Path, *extra: str) -> int:
    args = ["kanon", "--input", str(source), "--spec", str(SPEC), "--out", str(out), "--private-dir", str(private)]
    return main([*args, "--reporting-length", "2", *extra])


def test_kanon_is_recorded_in_the_ledger_and_refuses_an_out_in_the_data_dir(tmp_path, capsys):
    # Finding 4 of issue 8: bundles were invisible to the ledger and could be written where they are served.
    private, data = tmp_path / "private", tmp_path / "data"
    source = write_sample(private / "cases.csv", n_victims=200, seed=3)
    for inside in (data, data / "releases" / "oneoff"):
        assert _kanon(source, inside, private, "--data-dir", str(data)) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "inside the data directory" in err
        assert not inside.exists()
    assert not (private / "ledger.json").exists()

    assert _kanon(source, tmp_path / "oneoff", private, "--data-dir", str(data)) == 0
    text = (private / "ledger.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    (entry,) = json.loads(text)["sources"]["sample"]["entries"]
    assert entry["dp"] is False and entry["epsilon"] is None and entry["delta"] is None
    assert entry["mechanism"] == "k-anonymity" and entry["release_id"] == "kanon-oneoff"
    assert entry["fingerprint"].startswith("sha256:")


def test_a_dp_refresh_after_a_kanon_bundle_is_refused_unless_overridden(tmp_path, capsys):
    private, data = tmp_path / "private", tmp_path / "data"
    source = write_sample(private / "cases.csv", n_victims=600, seed=3)
    # Under another name: the refresh finds the bundle by the fingerprint of the same input content.
    assert _kanon(source, tmp_path / "oneoff", private, "--name", "bundle") == 0
    refresh = ["refresh", "--input", str(source), "--spec", str(SPEC), "--reporting-length", "2"]
    refresh += ["--data-dir", str(data), "--private-dir", str(private)]
    capsys.readouterr()
    assert main(refresh) == 2
    err = capsys.readouterr().err
    assert "non-DP k-anonymity bundle" in err and "guarantee is already void" in err and "--allow-over-budget" in err
    assert not (data / "releases").exists()
    assert main([*refresh, "--allow-over-budget"]) == 0
    sources = json.loads((private / "ledger.json").read_text())["sources"]
    assert [(e["dp"], e["over_budget"]) for e in sources["bundle"]["entries"]] == [(False, False)]
    assert [(e["dp"], e["over_budget"]) for e in sources["sample"]["entries"]] == [(True, True)]
