"""Dataset spec: TOML loading, validation errors naming file and key, command-line overrides."""

from pathlib import Path

import pytest

from synth.errors import InputError
from synth.spec import COMMAND_LINE, BinSpec, DatasetSpec, load_spec

FULL = """
[dataset]
name = "sample"
title = "Sample case records"
subject_id = "case_id"
use_columns = ["age", "gender", "IP_Gender"]
sensitive_zeros = ["children"]
delimiter = ";"
encoding = "latin-1"
max_categories = 50
max_values = 4
record_limit = 100
column_labels = { age = "Age band" }

[multi_value]
IP_Gender = ";"
IP_Role = ";"

[max_values]
ip_gender = 3

[bins.age]
method = "edges"
edges = [0, 18, 30, inf]
labels = ["minor", "young", "adult"]

[bins.score]
method = "quantile"
lower = 0
upper = 100
bins = 4
epsilon = 0.05
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def spec_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_spec(path)
    assert str(path) in str(err.value)
    return str(err.value)


def test_full_spec_loads(tmp_path):
    path = write(tmp_path, FULL)
    spec = load_spec(path)
    assert spec.name == "sample" and spec.title == "Sample case records"
    assert spec.subject_id == "case_id"
    assert spec.use_columns == ("age", "gender", "IP_Gender")
    assert spec.sensitive_zeros == ("children",)
    assert (spec.delimiter, spec.encoding, spec.max_categories, spec.record_limit) == (";", "latin-1", 50, 100)
    assert dict(spec.column_labels) == {"age": "Age band"}
    assert dict(spec.multi_value) == {"IP_Gender": ";", "IP_Role": ";"}
    assert (spec.max_values, dict(spec.column_max_values)) == (4, {"ip_gender": 3})
    assert (spec.max_values_of("IP_Gender"), spec.max_values_of("IP_Role")) == (3, 4)
    assert spec.bins["age"] == BinSpec(
        "edges", edges=(0.0, 18.0, 30.0, float("inf")), labels=("minor", "young", "adult")
    )
    assert spec.bins["score"] == BinSpec("quantile", lower=0.0, upper=100.0, bins=4, epsilon=0.05)
    assert spec.bins["score"].n_bins == 4 and spec.bins["age"].n_bins == 3
    assert spec.source == str(path)


def test_defaults_without_file():
    spec = load_spec(None)
    assert spec == DatasetSpec()
    assert spec.source == COMMAND_LINE and spec.max_categories == 250 and spec.record_limit == 0
    assert spec.max_values == 6 and spec.max_values_of("any") == 6
    assert spec.use_columns == () and dict(spec.multi_value) == {} and dict(spec.bins) == {}


def test_overrides_replace_and_multi_value_merges(tmp_path):
    spec = load_spec(
        write(tmp_path, FULL),
        subject_id="other_id",
        use_columns=["a"],
        record_limit=0,
        multi_value={"ip_gender": "|", "IP_Relation": ";"},
        name="x",
        encoding="utf-8",
    )
    assert spec.subject_id == "other_id" and spec.use_columns == ("a",) and spec.record_limit == 0
    assert spec.name == "x" and spec.encoding == "utf-8" and spec.delimiter == ";"
    # Same column matched ignoring case: the command line's delimiter wins, no duplicate entry.
    assert dict(spec.multi_value) == {"ip_gender": "|", "IP_Role": ";", "IP_Relation": ";"}


def test_flags_alone_build_a_spec():
    spec = load_spec(None, subject_id="id", multi_value={"m": ";"}, sensitive_zeros=["z"], delimiter="\t")
    assert (spec.subject_id, dict(spec.multi_value), spec.sensitive_zeros, spec.delimiter) == (
        "id",
        {"m": ";"},
        ("z",),
        "\t",
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[dataset]\nnmae = "x"\n', "key 'nmae': unknown key"),
        ('[datset]\nname = "x"\n', "key 'datset': unknown key"),
        ('[dataset]\nuse_columns = "a"\n', "dataset.use_columns: expected a list of strings, got a string"),
        ('[dataset]\nuse_columns = ["a", " A "]\n', "dataset.use_columns: ' A ' is listed twice"),
        ("[dataset]\nrecord_limit = -1\n", "dataset.record_limit: must be >= 0, got -1"),
        ("[dataset]\nmax_categories = true\n", "dataset.max_categories: expected an integer, got a boolean"),
        ('[dataset]\ndelimiter = ";;"\n', "dataset.delimiter: must be a single character"),
        ('[dataset]\nencoding = "klingon"\n', "dataset.encoding: unknown text encoding 'klingon'"),
        ("[dataset]\ncolumn_labels = { a = 3 }\n", "dataset.column_labels.a: expected a string, got an integer"),
        ('[multi_value]\nA = ""\n', "[multi_value].A: must not be empty"),
        ("[dataset]\nmax_values = 0\n", "dataset.max_values: must be >= 1, got 0"),
        ('[dataset]\nmax_values = "5"\n', "dataset.max_values: expected an integer, got a string"),
        ('[multi_value]\nm = ";"\n[max_values]\nm = 2.5\n', "[max_values].m: expected an integer, got a number"),
        ('[multi_value]\nm = ";"\n[max_values]\nm = 0\n', "[max_values].m: must be >= 1, got 0"),
        ('[multi_value]\nm = ";"\n[max_values]\nm = 2\nM = 3\n', "[max_values] keys: 'M' is listed twice"),
        ("[max_values]\nm = 2\n", "[max_values].m: 'm' is not a multi-value column"),
        ("max_values = 3\n", "[max_values]: expected a table, got an integer"),
        ('[bins.age]\nmethod = "log"\n', "[bins.age] method: must be one of edges, equal_width, quantile"),
        ('[bins.age]\nmethod = "edges"\nedges = [0, 10, 10]\n', "[bins.age] edges: must be strictly increasing"),
        ('[bins.age]\nmethod = "edges"\nedges = [0, "x"]\n', "[bins.age] edges[1]: expected a number"),
        ('[bins.age]\nmethod = "edges"\nedges = [0, 10]\nepsilon = 1.0\n', "[bins.age] key 'epsilon': unknown key"),
        ('[bins.age]\nmethod = "equal_width"\nbins = 3\n', "[bins.age]: method 'equal_width' needs key 'lower'"),
        (
            '[bins.age]\nmethod = "equal_width"\nlower = 5\nupper = 5\nbins = 3\n',
            "[bins.age] upper: must be greater than lower (5)",
        ),
        (
            '[bins.age]\nmethod = "quantile"\nlower = 0\nupper = 9\nbins = 3\nepsilon = 0\n',
            "[bins.age] epsilon: must be > 0",
        ),
        (
            '[bins.age]\nmethod = "quantile"\nlower = 0\nupper = 9\nbins = 1\nepsilon = 1\n',
            "[bins.age] bins: must be >= 2",
        ),
        (
            '[bins.age]\nmethod = "edges"\nedges = [0, 1, 2]\nlabels = ["a"]\n',
            "[bins.age] labels: expected 2 labels (one per bin), got 1",
        ),
        ("[dataset\n", "invalid TOML"),
    ],
)
def test_spec_errors_name_file_and_key(tmp_path, text, expected):
    assert expected in spec_error(tmp_path, text)


def test_column_roles_conflict(tmp_path):
    msg = spec_error(tmp_path, '[multi_value]\nAge = ";"\n[bins.age]\nmethod = "edges"\nedges = [0, 1]\n')
    assert "column 'Age'" in msg and "both multi-value and binned" in msg
    msg = spec_error(tmp_path, '[dataset]\nsubject_id = "ID"\nuse_columns = ["a", "id"]\n')
    assert "dataset.use_columns names the subject id column 'ID'" in msg


def test_missing_spec_file(tmp_path):
    with pytest.raises(InputError, match=r"file .*nope\.toml: spec file not found"):
        load_spec(tmp_path / "nope.toml")


def test_bad_override_names_command_line():
    with pytest.raises(InputError, match=r"^command-line options: dataset.record_limit: must be >= 0"):
        load_spec(None, record_limit=-5)
