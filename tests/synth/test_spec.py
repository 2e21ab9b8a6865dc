"""Dataset spec: TOML loading, validation errors naming file and key, command-line overrides."""

from pathlib import Path

import pytest

from synth.errors import InputError
from synth.spec import COMMAND_LINE, BinSpec, DatasetSpec, Domain, load_spec

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
max_records = 100000
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
    assert spec.max_records == 100_000 and load_spec(None).max_records is None
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
        ("[dataset]\nmax_records = 1\n", "dataset.max_records: must be >= 2, got 1"),
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


# ---------------------------------------------------------------------------------------- [domains]


def test_domains_inline_table_and_file(tmp_path):
    (tmp_path / "ages.txt").write_text("\ufeff# age bands, one per line\n0--17\n\n 18+ \n# end\n", encoding="utf-8")
    path = write(
        tmp_path,
        """
[multi_value]
roles = ";"
[domains]
gender = ["Female", " Male "]
roles = ["Recruiter", "Exploiter"]
age = { file = "ages.txt", other = "18+" }
[domains.status]
values = ["Adult", "Minor", "Unknown"]
other = "Unknown"
""",
    )
    spec = load_spec(path)
    assert spec.domains["gender"] == Domain(("Female", "Male"))  # trimmed, declared order kept
    assert spec.domains["roles"].values == ("Recruiter", "Exploiter")
    assert spec.domains["age"] == Domain(("0--17", "18+"), other="18+", file=str(tmp_path / "ages.txt"))
    assert spec.domains["status"] == Domain(("Adult", "Minor", "Unknown"), other="Unknown")


def test_domain_file_path_is_relative_to_the_spec_file(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "g.txt").write_text("F\nM\n", encoding="utf-8")
    (tmp_path / "specs").mkdir()
    path = tmp_path / "specs" / "spec.toml"
    path.write_text('[domains]\ng = { file = "../lists/g.txt" }\n', encoding="utf-8")
    assert load_spec(path).domains["g"].values == ("F", "M")


def test_a_zero_may_be_declared_in_a_sensitive_zero_column(tmp_path):
    path = write(tmp_path, '[dataset]\nsensitive_zeros = ["kids"]\n[domains]\nkids = ["0", "1", "2+"]\n')
    assert load_spec(path).domains["kids"].values == ("0", "1", "2+")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[domains]\ng = ["F", "M", "F"]\n', "domains.g[2]: 'F' is listed twice (also at [0])"),
        ('[domains]\ng = ["F", " F"]\n', "domains.g[1]: 'F' is listed twice"),
        ("[domains]\ng = []\n", "domains.g: declares no value"),
        ('[domains]\ng = ["F", 1]\n', "domains.g[1]: expected a string, got an integer"),
        ('[domains]\ng = ["F", "  "]\n', "domains.g[1]: must not be empty"),
        ('[domains]\ng = "F"\n', "domains.g: expected a list of values or a table (values or file), got a string"),
        ('[domains]\ng = { values = ["F"], other = "X" }\n', "[domains.g] other: 'X' must itself be one of"),
        ('[domains]\ng = { values = ["F"], file = "g.txt" }\n', "[domains.g]: give either 'values'"),
        ('[domains]\ng = { other = "F" }\n', "[domains.g]: give either 'values'"),
        ('[domains]\ng = { values = ["F"], default = "F" }\n', "[domains.g] key 'default': unknown key"),
        ('[domains]\ng = { file = "nope.txt" }\n', "[domains.g] file: values file"),
        ('[domains]\ng = ["F"]\nG = ["M"]\n', "[domains] keys: 'G' is listed twice"),
        ('[domain]\ng = ["F"]\n', "key 'domain': unknown key"),
        (
            '[bins.age]\nmethod = "edges"\nedges = [0, 1]\n[domains]\nAge = ["x"]\n',
            "[domains] Age: the column is binned, its bin labels are its domain",
        ),
        ('[dataset]\nsubject_id = "id"\n[domains]\nID = ["1"]\n', "[domains] ID: names the subject id column"),
        (
            '[multi_value]\nroles = "|"\n[domains]\nroles = ["a", "a|b"]\n',
            "[domains] roles: 'a|b' holds the column's multi-value delimiter '|'",
        ),
        ('[domains]\nkids = ["0", "1"]\n', "[domains] kids: '0' means absent in this column"),
    ],
)
def test_domain_errors_name_file_and_key(tmp_path, text, expected):
    assert expected in spec_error(tmp_path, text)


def test_domain_file_errors_name_the_values_file(tmp_path):
    msg = spec_error(tmp_path, '[domains]\ng = { file = "g.txt" }\n')
    assert f"values file {str(tmp_path / 'g.txt')!r} not found" in msg
    (tmp_path / "g.txt").write_text("F\nM\n\nF\n", encoding="utf-8")
    msg = spec_error(tmp_path, '[domains]\ng = { file = "g.txt" }\n')
    assert "[domains.g] file: 'F' is listed twice in" in msg and "(lines 1 and 4)" in msg
    (tmp_path / "g.txt").write_text("# nothing\n\n", encoding="utf-8")
    assert "[domains.g]: declares no value" in spec_error(tmp_path, '[domains]\ng = { file = "g.txt" }\n')
    (tmp_path / "g.txt").write_bytes(b"F\n\xff\n")
    assert "cannot read values file" in spec_error(tmp_path, '[domains]\ng = { file = "g.txt" }\n')


def test_a_command_line_multi_value_delimiter_is_checked_against_the_domain(tmp_path):
    path = write(tmp_path, '[domains]\nroles = ["a;b"]\n')
    assert load_spec(path).domains["roles"].values == ("a;b",)  # a single-value column may hold ";"
    with pytest.raises(InputError, match=r"\[domains\] roles: 'a;b' holds the column's multi-value delimiter"):
        load_spec(path, multi_value={"roles": ";"})


def test_spec_toml_round_trips_through_the_loader(tmp_path):
    from synth.spec import spec_toml

    doc = {
        "dataset": {"name": "owners-cases", "subject_id": "case_id", "use_columns": ["age", "IP Gender"]},
        "multi_value": {"IP Gender": ";"},
        "bins": {"age": {"method": "edges", "edges": [0.0, 18.0, float("inf")]}},
        "domains": {"IP Gender": ["Female", "Male", 'owner\'s "other"']},
    }
    path = tmp_path / "spec.toml"
    path.write_text(spec_toml(doc), encoding="utf-8")
    spec = load_spec(path)
    assert spec.name == "owners-cases" and spec.use_columns == ("age", "IP Gender")
    assert dict(spec.multi_value) == {"IP Gender": ";"}
    assert spec.bins["age"].edges == (0.0, 18.0, float("inf"))
    assert spec.domains["IP Gender"].values == ("Female", "Male", 'owner\'s "other"')  # quotes escaped
