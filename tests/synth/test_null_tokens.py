"""Issue 9, unseen schemas at ingest: the null token of a binned column (absent or its own bin; spec validation)
and the warning for a column where "0", read as absent, is most of the data."""

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synth.errors import InputError
from synth.ingest import read_private
from synth.spec import load_spec

EDGES = '[bins.age]\nmethod = "edges"\nedges = [0, 18, 120]\n'


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def cells(result, column: str) -> list[str]:
    return list(result.data.to_frame()[column])


# ------------------------------------------------------------------------------------------ null token


def test_without_a_null_token_a_non_number_is_still_an_error(tmp_path):
    source = write(tmp_path, "in.csv", "age\n5\nN\n40\n")
    with pytest.raises(InputError, match=r"row 3, column 'age': 'N' is not a number"):
        read_private(source, load_spec(write(tmp_path, "s.toml", EDGES)))


def test_null_token_makes_the_cell_absent_by_default(tmp_path):
    source = write(tmp_path, "in.csv", "age,g\n5,a\nN,b\n40,a\n N ,b\n")
    result = read_private(source, load_spec(write(tmp_path, "s.toml", EDGES + 'null = "N"\n')))
    assert cells(result, "age") == ["[0, 18)", "", "[18, 120]", ""]
    assert result.data.schema.columns[0].values == ("[0, 18)", "[18, 120]")  # no extra bin


def test_null_bin_is_its_own_last_bin_and_a_value_fills_it(tmp_path):
    spec = write(tmp_path, "s.toml", EDGES + 'null = ["N", "999"]\nnull_bin = "Unknown"\n')
    # Subject 3 has a value and a null token: the value fills it, as it fills an empty cell. Subject 5 has none.
    source = write(tmp_path, "in.csv", "id,age\n1,5\n2,N\n3,40\n3,N\n4,999\n5,\n")
    result = read_private(source, load_spec(spec, subject_id="id"))
    assert result.data.schema.columns[0].values == ("[0, 18)", "[18, 120]", "Unknown")
    assert result.data.schema.columns[0].declared
    assert cells(result, "age") == ["[0, 18)", "Unknown", "[18, 120]", "Unknown", ""]
    assert result.bin_edges == {"age": (0.0, 18.0, 120.0)}  # the edges are unchanged


def test_null_bin_with_quantile_bins_keeps_null_tokens_out_of_the_quantiles(tmp_path):
    spec = write(
        tmp_path,
        "s.toml",
        '[bins.v]\nmethod = "quantile"\nlower = 0\nupper = 100\nbins = 2\nepsilon = 50\nnull = "NA"\n'
        'null_bin = "missing"\nlabels = ["low", "high"]\n',
    )
    source = write(tmp_path, "in.csv", "v\n10\n20\nNA\n80\n90\nNA\n")
    result = read_private(source, load_spec(spec), rng=np.random.default_rng(1))
    assert cells(result, "v") == ["low", "low", "missing", "high", "high", "missing"]


@pytest.mark.parametrize(
    ("extra", "key", "problem"),
    [
        ('null_bin = "Unknown"\n', "[bins.age] null_bin", "needs the null token"),
        ("null = 3\n", "[bins.age] null", "expected a string or a non-empty list"),
        ("null = []\n", "[bins.age] null", "expected a string or a non-empty list"),
        ('null = ""\n', "[bins.age] null", "must not be empty"),
        ('null = ["N", "N"]\n', "[bins.age] null", "'N' is listed twice"),
        ('null = "N"\nnull_bin = 1\n', "[bins.age] null_bin", "expected a string"),
        ('null = "N"\nnull_bin = "young"\nlabels = ["young", "old"]\n', "[bins.age] null_bin", "already the label"),
        ('null = "0"\nnull_bin = "Unknown"\n', "[bins.age] null", "'0' means absent"),
        ('nul = "N"\n', "[bins.age] key 'nul'", "unknown key"),
    ],
)
def test_null_token_spec_errors_name_the_file_and_the_key(tmp_path, extra, key, problem):
    spec = write(tmp_path, "s.toml", EDGES + extra)
    with pytest.raises(InputError) as err:
        load_spec(spec)
    message = str(err.value)
    assert message.startswith(f"file {spec}") and key in message and problem in message, message


def test_null_token_zero_with_its_own_bin_is_fine_for_a_sensitive_zero_column(tmp_path):
    spec = write(tmp_path, "s.toml", EDGES + 'null = "0"\nnull_bin = "Unknown"\n')
    source = write(tmp_path, "in.csv", "age\n5\n0\n40\n")
    result = read_private(source, load_spec(spec, sensitive_zeros=["age"]))
    assert cells(result, "age") == ["[0, 18)", "Unknown", "[18, 120]"]


def test_null_bin_equal_to_a_default_interval_label_is_refused_at_ingest(tmp_path):
    spec = write(tmp_path, "s.toml", EDGES + 'null = "N"\nnull_bin = "[0, 18)"\n')
    with pytest.raises(InputError, match=r"s\.toml.*\[bins\.age\] null_bin: '\[0, 18\)' is also a bin's label"):
        read_private(write(tmp_path, "in.csv", "age\n5\nN\n"), load_spec(spec))


def test_refresh_with_a_bad_null_spec_exits_2_and_writes_nothing(tmp_path):
    spec = write(tmp_path, "s.toml", EDGES + 'null_bin = "Unknown"\n')
    source = write(tmp_path, "in.csv", "age\n5\nN\n")
    dirs = ["--data-dir", str(tmp_path / "data"), "--private-dir", str(tmp_path / "private")]
    proc = subprocess.run(
        [sys.executable, "-m", "synth", "refresh", "--input", str(source), "--spec", str(spec), *dirs],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "s.toml" in lines[0] and "[bins.age] null_bin" in lines[0]
    # The private workspace holds at most the refresh lock: no ledger entry, no report.
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "private" / "ledger.json").exists() and not (tmp_path / "private" / "reports").exists()


# ------------------------------------------------------------------------------------- zero warning


def test_zero_that_is_most_of_a_column_warns_to_declare_sensitive_zeros(tmp_path, caplog):
    # kids: 3 of 5 non-empty cells are "0" (> 50 %); half: 2 of 4 (not more than half); roles: parts 0, 0, a.
    source = write(tmp_path, "in.csv", "kids,half,roles\n0,0,0;a\n0,0,0\n0,1,\n1,2,\n2,,\n")
    with caplog.at_level(logging.WARNING, logger="synth.ingest"):
        result = read_private(source, load_spec(None, multi_value={"roles": ";"}))
    assert result.zero_shares["kids"] == pytest.approx(0.6) and result.zero_shares["half"] == pytest.approx(0.5)
    assert result.zero_heavy == ["kids", "roles"]
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2 and "'kids'" in warned[0] and "'roles'" in warned[1]
    assert all("sensitive_zeros" in w for w in warned)
    assert cells(result, "kids") == ["", "", "", "1", "2"]  # still absent: the warning changes nothing


def test_no_zero_warning_for_a_sensitive_zero_column(tmp_path, caplog):
    source = write(tmp_path, "in.csv", "kids\n0\n0\n1\n")
    with caplog.at_level(logging.WARNING, logger="synth.ingest"):
        result = read_private(source, load_spec(None, sensitive_zeros=["kids"]))
    assert result.zero_heavy == [] and caplog.records == []
    assert cells(result, "kids") == ["0", "0", "1"]
