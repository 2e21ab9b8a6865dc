"""Hostile and broken input to the command line (issue 11, synth side): every refusal is one printable line and
exit code 2, before any DP work or ledger charge, with nothing written to the data directory; a bug is exit 3."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pytest

from synth import ledger
from synth.__main__ import main
from synth.combos import combination_count
from synth.errors import InputError, one_line
from synth.locks import exclusive
from synth.refresh import LOCK, check_synthesizer_options
from synth.spec import DatasetSpec, dataset_name, load_spec


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """600 records of three small categorical columns: a refresh of it publishes in well under a second, and
    its n' (Laplace scale 50 at the default epsilon) never comes out below one record (300 did in about one run
    in 800, with OS-entropy noise)."""
    rng = np.random.default_rng(0)
    n = 600
    frame = pd.DataFrame(
        {"a": rng.choice(["x", "y", "z"], n), "b": rng.choice(["p", "q"], n), "c": rng.choice(["u", "v"], n)}
    )
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    return path


def _dirs(root: Path) -> list[str]:
    return ["--data-dir", str(root / "data"), "--private-dir", str(root / "private")]


def refused(capsys, root: Path, *argv: str) -> str:
    """Run the CLI in-process; assert exit 2, one printable line on stderr, no release, no ledger charge."""
    code = main(["refresh", *argv, *_dirs(root)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].isprintable() and "Traceback" not in err, err
    assert not (root / "data" / "releases").exists()
    assert not (root / "private" / ledger.LEDGER).exists()
    return lines[0]


# ---------------------------------------------------------------------------------------------- 1. budgets


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0"])
@pytest.mark.parametrize("option", ["--budget-epsilon", "--budget-delta"])
def test_non_finite_or_non_positive_budgets_are_refused_before_any_work(capsys, tmp_path, cases, option, value):
    line = refused(capsys, tmp_path, "--input", str(cases), f"{option}={value}")
    assert f"{option} must be a finite number > 0" in line
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("option", ["--epsilon", "--delta"])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_non_finite_or_non_positive_privacy_parameters_are_refused(capsys, tmp_path, cases, option, value):
    assert "invalid privacy parameters" in refused(capsys, tmp_path, "--input", str(cases), f"{option}={value}")


@pytest.mark.parametrize(
    ("option", "value"), [("--sigma-proportions", ":"), ("--sigma-proportions", "1,x"), ("--threshold-values", ":")]
)
def test_malformed_number_lists_are_one_line(capsys, tmp_path, cases, option, value):
    # --sigma-proportions ":" was an internal error (ValueError, exit 3), found by the CLI fuzz suite
    assert f"{option} expects" in refused(capsys, tmp_path, "--input", str(cases), f"{option}={value}")


def _ledger_with(private: Path, budget: dict, entries: list[dict]) -> Path:
    private.mkdir(parents=True, exist_ok=True)
    path = private / ledger.LEDGER
    # As an older version wrote it: json.dumps writes NaN by default (not strict JSON).
    path.write_text(json.dumps({"version": 2, "sources": {"cases": {"budget": budget, "entries": entries}}}))
    return path


def test_a_stored_nan_budget_is_refused_and_replaced_only_by_a_finite_one(capsys, tmp_path, cases):
    path = _ledger_with(tmp_path / "private", {"epsilon": float("nan"), "delta": float("nan")}, [])
    before = path.read_text()
    code = main(["refresh", "--input", str(cases), *_dirs(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "stored epsilon budget of 'cases' is nan" in err and len(err.strip().splitlines()) == 1
    assert path.read_text() == before and not (tmp_path / "data" / "releases").exists()
    # Giving a finite budget repairs it: the refresh publishes and the ledger is strict JSON again.
    code = main(
        ["refresh", "--input", str(cases), "--budget-epsilon", "30", "--budget-delta", "1e-3", *_dirs(tmp_path)]
    )
    assert code == 0, capsys.readouterr().err
    doc = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"ledger holds {c}"))
    assert doc["sources"]["cases"]["budget"] == {"epsilon": 30.0, "delta": 1e-3}


def test_a_ledger_entry_with_a_nan_spend_is_refused_as_damaged(capsys, tmp_path, cases):
    entry = {"release_id": "r1", "dp": True, "epsilon": float("nan"), "delta": 1e-6, "fingerprint": None}
    path = _ledger_with(tmp_path / "private", {"epsilon": 20.0, "delta": 1e-3}, [entry])
    before = path.read_text()
    code = main(["refresh", "--input", str(cases), *_dirs(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "the ledger is damaged" in err and len(err.strip().splitlines()) == 1
    assert path.read_text() == before and not (tmp_path / "data" / "releases").exists()


# ---------------------------------------------------------------------------------------------- 2. names

BAD_NAMES = [".tmp-x", "../x", "a/b", "/abs", "a\0b", "a\nb", "x" * 230, "-x", "a b", "é"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_are_refused_before_computation_and_charge(capsys, tmp_path, cases, name):
    line = refused(capsys, tmp_path, "--input", str(cases), f"--name={name}")
    assert "is not a valid dataset id" in line and not (tmp_path / "data").exists()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_spec_names_are_refused(tmp_path, name):
    spec = tmp_path / "spec.toml"
    spec.write_text(f"[dataset]\nname = {json.dumps(name)}\n", encoding="utf-8")
    with pytest.raises(InputError, match="dataset.name: .* is not a valid dataset id"):
        load_spec(spec)


def test_good_names_pass():
    for name in ["cases", "CTDC_2024", "a", "v1.2-final", "x" * 64]:
        assert load_spec(None, name=name).name == name


@pytest.mark.parametrize(
    ("stem", "derived"),
    [
        ("cases", "cases"),
        (".tmp-cases", "tmp-cases"),
        ("my data (1)", "my_data_1_"),
        ("x" * 300, "x" * 64),
        ("..hidden", "hidden"),
    ],
)
def test_a_file_stem_that_is_not_a_valid_name_gives_a_valid_one(stem, derived):
    assert dataset_name(DatasetSpec(), Path(f"/in/{stem}.csv")) == derived


def test_a_file_stem_without_a_usable_character_asks_for_a_name():
    with pytest.raises(InputError, match="pass --name"):
        dataset_name(DatasetSpec(), Path("/in/ééé.csv"))


def test_a_tmp_prefixed_file_publishes_under_a_name_that_no_refresh_removes(capsys, tmp_path, cases):
    source = cases.rename(tmp_path / ".tmp-cases.csv")
    assert main(["refresh", "--input", str(source), *_dirs(tmp_path)]) == 0, capsys.readouterr().err
    first = (tmp_path / "data" / "current").resolve()
    assert first.name.startswith("tmp-cases-")
    assert main(["refresh", "--input", str(source), "--name", "other", *_dirs(tmp_path)]) == 0
    assert first.is_dir()  # not removed as a leftover of an interrupted refresh


# ---------------------------------------------------------------------------------------------- 3. tracebacks


@pytest.mark.parametrize("codec", ["base64", "rot13", "hex", "zlib", "bz2", "punycode", "undefined", "idna"])
def test_non_text_codecs_are_refused_as_encodings(capsys, tmp_path, cases, codec):
    assert "is not a text encoding" in refused(capsys, tmp_path, "--input", str(cases), "--encoding", codec)


def test_an_encoding_name_with_a_nul_is_refused(capsys, tmp_path, cases):
    assert "unknown text encoding" in refused(capsys, tmp_path, "--input", str(cases), "--encoding", "utf\0-8")


def test_a_header_field_over_the_csv_field_limit(capsys, tmp_path):
    source = tmp_path / "wide_header.csv"
    source.write_text("a," + "h" * 140_000 + "\n1,2\n3,4\n", encoding="utf-8")
    assert "cannot read the header" in refused(capsys, tmp_path, "--input", str(source))


@pytest.mark.parametrize("seed", ["-1", "abc", "1" * 5000])
def test_bad_seeds_are_one_line(capsys, tmp_path, cases, seed):
    with pytest.raises(SystemExit) as exit_:
        main(["refresh", "--input", str(cases), "--seed", seed, *_dirs(tmp_path)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1 and "--seed" in err
    assert len(err) < 300 and not (tmp_path / "data").exists()


def test_a_spec_nested_5000_deep(capsys, tmp_path, cases):
    spec = tmp_path / "deep.toml"
    spec.write_text("[domains]\na = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "nested too deeply" in refused(capsys, tmp_path, "--input", str(cases), "--spec", str(spec))


def test_a_huge_bin_count_is_refused(tmp_path):
    spec = tmp_path / "bins.toml"
    spec.write_text('[bins.age]\nmethod = "equal_width"\nlower = 0\nupper = 1\nbins = 1000000000000\n')
    with pytest.raises(InputError, match=r"\[bins.age\] bins: must be <= 10000"):
        load_spec(spec)


def test_devices_and_oversized_files_are_not_read_whole(capsys, tmp_path, cases):
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    assert "not a regular file" in refused(capsys, tmp_path, "--input", str(cases), "--spec", "/dev/zero")
    assert "not a regular file" in refused(capsys, tmp_path, "--input", str(tmp_path / "zero.csv"))
    sparse = tmp_path / "sparse.csv"
    with open(sparse, "wb") as handle:
        handle.truncate(2 << 30)  # 2 GiB, sparse: no disk space used
    assert "larger than the limit of 1,073,741,824 bytes" in refused(capsys, tmp_path, "--input", str(sparse))
    big_spec = tmp_path / "big.toml"
    with open(big_spec, "wb") as handle:
        handle.truncate((1 << 20) + 1)
    assert "spec file is larger than the limit" in refused(
        capsys, tmp_path, "--input", str(cases), "--spec", str(big_spec)
    )


def test_the_input_size_limit_is_configurable(capsys, tmp_path, cases):
    spec = tmp_path / "spec.toml"
    spec.write_text("[dataset]\nmax_input_bytes = 100\n")
    line = refused(capsys, tmp_path, "--input", str(cases), "--spec", str(spec))
    assert "larger than the limit of 100 bytes" in line


def test_a_negative_dp_record_count_is_refused_before_publishing_or_charging(capsys, tmp_path, cases, monkeypatch):
    monkeypatch.setattr("synth.dp.marginals.protect_record_count", lambda n, eps, rng: -29)
    line = refused(capsys, tmp_path, "--input", str(cases))
    assert "n' came out -29" in line and "raise --epsilon" in line


def test_a_huge_dp_record_count_is_refused_before_synthesis_or_charging(capsys, tmp_path, cases, monkeypatch):
    """Found by benchmarks/bench_hostile.py: ``--number-of-records-epsilon-proportion=6.7e-179`` drew an n' of
    about 1e180 half of the time, and the synthesizer died allocating it (exit 3)."""
    huge = 10**180
    monkeypatch.setattr("synth.dp.marginals.protect_record_count", lambda n, eps, rng: huge)
    line = refused(capsys, tmp_path, "--input", str(cases))
    assert "n' came out" in line and "more than the 10,000,000 records a release can hold" in line
    assert "raise --epsilon" in line


def test_a_tiny_record_count_epsilon_share_never_crashes(capsys, tmp_path, cases):
    for attempt in range(6):  # the noise sign is random (OS entropy): either side is a clean refusal
        refused(capsys, tmp_path / str(attempt), "--input", str(cases), "--number-of-records-epsilon-proportion=1e-178")


def test_an_unexpected_error_is_exit_3_one_line_and_shows_its_traceback_on_request(capsys, monkeypatch, cases):
    def boom(args):
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr("synth.__main__.run", boom)
    monkeypatch.delenv("SYNTH_DEBUG", raising=False)
    assert main(["ledger"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "RuntimeError: first line second line" in err
    monkeypatch.setenv("SYNTH_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["ledger"])


# ---------------------------------------------------------------------------------------------- 4. width


def test_combination_count_on_hand_made_widths():
    # Widths 3 and 2 at R = 2: (C(3,1) + C(3,2)) + (C(2,1) + C(2,2)) = 6 + 3.
    assert combination_count(np.array([3, 2]), 2) == 9
    assert combination_count(np.array([300] * 600), 3) == 600 * (300 + 44_850 + 4_455_100)


def test_a_wide_file_is_refused_before_counting(capsys, tmp_path):
    rng = np.random.default_rng(1)
    source = tmp_path / "wide.csv"
    pd.DataFrame(rng.choice(["a", "b"], (600, 300)), columns=[f"c{i}" for i in range(300)]).to_csv(source, index=False)
    line = refused(capsys, tmp_path, "--input", str(source))
    assert "2,700,150,000 combinations of up to 3 attributes" in line
    assert "a reporting length of 2 fits" in line and "--use-columns" in line
    assert not (tmp_path / "data").exists()


def test_too_many_columns_are_refused_from_the_header(capsys, tmp_path):
    source = tmp_path / "many.csv"
    source.write_text(",".join(f"c{i}" for i in range(1001)) + "\n" + ",".join("x" * 1001) + "\n")
    assert "1,001 columns, more than dataset.max_columns = 1,000" in refused(capsys, tmp_path, "--input", str(source))


# ---------------------------------------------------------------------------------------------- 5. item 9


def test_a_refresh_from_another_workspace_is_refused_before_computing_or_charging(capsys, tmp_path, cases):
    with exclusive(tmp_path / "data" / LOCK, "refresh publishing to this data directory"):
        code = main(["refresh", "--input", str(cases), *_dirs(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "another refresh publishing to this data directory" in err
    assert not (tmp_path / "private" / ledger.LEDGER).exists()
    assert not (tmp_path / "data" / "releases").exists()


# ---------------------------------------------------------------------------------------------- 6. item 10


def test_release_csvs_are_formula_neutralised(capsys, tmp_path):
    source = tmp_path / "formulas.csv"
    rng = np.random.default_rng(2)
    pd.DataFrame({"a": rng.choice(["=1+1", "-x", "@SUM(A1)"], 400), "b": rng.choice(["p", "q"], 400)}).to_csv(
        source, index=False
    )
    assert main(["refresh", "--input", str(source), "--epsilon", "8", *_dirs(tmp_path)]) == 0
    current = tmp_path / "data" / "current"
    for name in ("synthetic_condensed.csv", "synthetic_long.csv"):
        cells = [cell for line in (current / name).read_text().splitlines() for cell in line.split(",")]
        assert not [c for c in cells if c.startswith(("=", "-", "@", "+"))], name
        assert "'=1+1" in cells, name


# ---------------------------------------------------------------------------------------------- 7. item 11


def test_one_line_escapes_collapses_and_shortens():
    assert one_line("a\0b\ufeffc") == "a\\x00b\\ufeffc"
    assert one_line("cannot read\nParquet: magic\n") == "cannot read Parquet: magic "
    digits = "9" * 5000
    short = one_line(f"got {digits} here")
    assert short.startswith("got " + "9" * 60 + "...[5000 characters] here") and len(short) < 120


def test_raw_nul_and_bom_in_a_column_list_are_shown_escaped(capsys, tmp_path):
    source = tmp_path / "nul.csv"
    source.write_bytes(b"a,b\x00x,\xef\xbb\xbfc\n1,2,3\n4,5,6\n")
    line = refused(capsys, tmp_path, "--input", str(source), "--use-columns", "zz")
    assert "(columns: a, b\\x00x, \\ufeffc)" in line


def test_a_long_value_is_shortened(capsys, tmp_path, cases):
    line = refused(capsys, tmp_path, "--input", str(cases), "--multi-value", "x" * 5000)
    assert "[5002 characters]" in line and len(line) < 300


def test_argparse_errors_are_one_line_without_usage(capsys, tmp_path, cases):
    with pytest.raises(SystemExit) as exit_:
        main(["refresh", "--input", str(cases), "--epsilon", "abc"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "usage" not in err
    assert "argument --epsilon: invalid float value: 'abc'" in err


# ---------------------------------------------------------------------------------------------- 8. item 12


def test_a_directory_as_input_says_so(capsys, tmp_path):
    (tmp_path / "folder.csv").mkdir()
    assert "input file is a directory" in refused(capsys, tmp_path, "--input", str(tmp_path / "folder.csv"))


def test_a_row_longer_than_the_parser_block_is_explained(capsys, tmp_path, cases, monkeypatch):
    def straddling(*args, **kwargs):
        raise pa.ArrowInvalid("straddling object straddles two block boundaries (try to increase block size?)")

    monkeypatch.setattr(pcsv, "read_csv", straddling)
    line = refused(capsys, tmp_path, "--input", str(cases))
    assert "longer than the reader's block" in line and "straddl" not in line


def test_a_one_megabyte_cell_is_read(capsys, tmp_path, cases):
    frame = pd.read_csv(cases)
    frame.loc[0, "a"] = "y" * (1 << 20)
    frame.to_csv(cases, index=False)
    assert os.path.getsize(cases) > 1 << 20
    assert main(["refresh", "--input", str(cases), *_dirs(tmp_path)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("sweeps=abc", "synthesizer option"),
        ("sweeps=-1", "must be an integer in 0..10,000,000, got -1"),
        ("sweeps=1e9", "must be an integer"),
        ("pool_factor=NaN", "must be a number"),
        ("pool_factor=Infinity", "must be a number"),
        ("exact_one_way=1", "must be true or false, got 1"),
        ("x=1", "unknown option"),
    ],
)
def test_bad_synthesizer_options_are_refused_before_any_work(capsys, tmp_path, cases, option, says):
    line = refused(
        capsys, tmp_path, "--input", str(cases), "--synthesizer", "raked_marginals", "--synthesizer-option", option
    )
    assert says in line, line
    assert not (tmp_path / "data").exists()


def test_an_automatic_boolean_option_takes_true_false_or_null_only(capsys, tmp_path, cases):
    for value in (True, False, None):
        check_synthesizer_options("gum", {"condense_multi_value": value})
    line = refused(capsys, tmp_path, "--input", str(cases), "--synthesizer-option", "condense_multi_value=2")
    assert "synthesizer option condense_multi_value must be true or false or null, got 2" in line, line


def test_a_boolean_for_a_numeric_option_names_the_numbers_it_takes(capsys, tmp_path, cases):
    line = refused(capsys, tmp_path, "--input", str(cases), "--synthesizer-option", "polish_expanded=true")
    assert "synthesizer option polish_expanded must be an integer in 0..10,000,000 or null, got True" in line, line


@pytest.mark.parametrize(
    ("option", "says"),
    [
        # An automatic integer (annotated int | None) takes no fraction: range(2.5) would fail mid-run.
        ("rounds=2.5", "synthesizer option rounds must be an integer in 0..10,000,000 or null, got 2.5"),
        ('start="pool"', 'synthesizer option start must be "auto" or "tree" or "raked", got \'pool\''),
        ("start=1", 'synthesizer option start must be "auto" or "tree" or "raked", got 1'),
        ("unpublished_cost=-1", "synthesizer option unpublished_cost must be a number in 0..10,000,000 or null"),
    ],
)
def test_gum_options_are_checked_by_their_annotation(capsys, tmp_path, cases, option, says):
    line = refused(capsys, tmp_path, "--input", str(cases), "--synthesizer-option", option)
    assert says in line, line
    assert not (tmp_path / "data").exists()


def test_gum_takes_its_named_starts_and_automatic_values():
    for options in ({"start": "raked"}, {"start": "auto"}, {"rounds": None, "unpublished_cost": None}, {"rounds": 0}):
        check_synthesizer_options("gum", options)


@pytest.mark.parametrize("victims", ["0", "-5", "10000000000"])
def test_sample_sizes_are_bounded(capsys, tmp_path, victims):
    with pytest.raises(SystemExit) as exit_:
        main(["sample", f"--victims={victims}", "--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "--victims" in err
    assert not (tmp_path / "s.csv").exists()


@pytest.mark.parametrize("option", ["--input", "--spec", "--data-dir", "--private-dir"])
def test_a_nul_in_a_path_is_one_line(capsys, tmp_path, cases, option):
    argv = {"--input": str(cases), "--data-dir": str(tmp_path / "data"), "--private-dir": str(tmp_path / "private")}
    argv[option] = f"{tmp_path}/a\0b"
    with pytest.raises(SystemExit) as exit_:
        main(["refresh", *(x for kv in argv.items() for x in kv)])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "NUL" in err and not (tmp_path / "data").exists()
