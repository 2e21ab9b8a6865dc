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
    # perpRole's declared domain would refuse the planted value: leave it undeclared here.
    spec = tmp_path / "spec.toml"
    spec.write_text(re.sub(r"(?m)^perpRole = \[.*\n", "", SPEC.read_text(encoding="utf-8")), encoding="utf-8")
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
