"""Ingest: formats, detection, normalisation, subject-id join, multi-value expansion, binning, every error."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synth.errors import InputError
from synth.ingest import read_private
from synth.ingest.binning import assign_bins, interval_labels
from synth.spec import load_spec

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
ROOT = Path(__file__).resolve().parents[2]
CTDC_SPEC = ROOT / "specs" / "ctdc_vp.toml"


def write(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def table(result) -> dict[str, list[str]]:
    """The ingested table as {column: cells} ("" = absent)."""
    return {k: list(v) for k, v in result.data.to_frame().items()}


def ingest_error(path: Path, **spec) -> InputError:
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(None, **spec))
    return err.value


# -------------------------------------------------------------------------------- formats and detection


def test_semicolon_latin1_file_is_detected(tmp_path):
    text = "id;città;età\n1;Forlì;30\n2;Pérez;40\n3;Besançon;\n"
    result = read_private(write(tmp_path, text, encoding="latin-1"), load_spec(None))
    assert (result.delimiter, result.encoding) == (";", "cp1252")
    assert table(result) == {"id": ["1", "2", "3"], "città": ["Forlì", "Pérez", "Besançon"], "età": ["30", "40", ""]}


def test_explicit_delimiter_and_encoding(tmp_path):
    path = write(tmp_path, "a|b\nx|é\n", encoding="latin-1")
    result = read_private(path, load_spec(None, delimiter="|", encoding="latin-1"))
    assert table(result) == {"a": ["x"], "b": ["é"]}
    assert result.private_facts() == {
        "input_rows": 1,
        "subjects": 1,
        "subjects_with_multi_values_subsampled": {},
        "delimiter": "|",
        "encoding": "latin-1",
    }


def test_utf8_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa,b\r\n1,2\r\n".encode("utf-8"))
    assert table(read_private(path, load_spec(None))) == {"a": ["1"], "b": ["2"]}


def test_tsv(tmp_path):
    path = write(tmp_path, "a\tb,c\n1\tx,y\n2\t\n", name="in.tsv")
    result = read_private(path, load_spec(None))
    assert result.delimiter == "\t"
    assert table(result) == {"a": ["1", "2"], "b,c": ["x,y", ""]}


def test_parquet(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"i": pa.array([0, 1, None]), "f": pa.array([0.0, 1.5, None]), "s": pa.array([" a ", None, "0"])}),
        path,
    )
    result = read_private(path, load_spec(None))
    # Integer 0 and string "0" are zeros (absent); float 0.0 prints as "0.0", which is not a zero.
    assert table(result) == {"i": ["", "1", ""], "f": ["0.0", "1.5", ""], "s": ["a", "", ""]}
    assert (result.delimiter, result.encoding) == (None, None)


def test_blank_lines_skipped_and_quoted_fields(tmp_path):
    path = write(tmp_path, 'a,b\n"x, y","multi\nline"\n\n2,3\n')
    assert table(read_private(path, load_spec(None))) == {"a": ["x, y", "2"], "b": ["multi\nline", "3"]}


# -------------------------------------------------------------------------------------- normalisation


def test_trim_zero_and_escape(tmp_path):
    path = write(tmp_path, "a, b:c ,z\n 0 ,x;y:z,0\n0.0,  ,00\n")
    result = read_private(path, load_spec(None, sensitive_zeros=["Z"]))
    assert table(result) == {"a": ["", "0.0"], "b<colon>c": ["x<semicolon>y<colon>z", ""], "z": ["0", "00"]}


def test_use_columns_case_insensitive_and_labels(tmp_path):
    path = write(tmp_path, "A,b,C\n1,2,3\n")
    spec_path = tmp_path / "s.toml"
    spec_path.write_text(
        '[dataset]\nuse_columns = [" c", "a "]\ncolumn_labels = { c = "Column C" }\ntitle = "T"\n', encoding="utf-8"
    )
    result = read_private(path, load_spec(spec_path))
    assert result.data.schema.names == ["A", "C"]  # file order
    assert result.column_labels == {"A": "A", "C": "Column C"}
    assert (result.name, result.title) == ("in", "T")


def test_record_limit_applies_before_the_join(tmp_path):
    path = write(tmp_path, "id,a\n1,x\n2,y\n1,z\n")
    result = read_private(path, load_spec(None, subject_id="id", record_limit=2))
    assert table(result) == {"a": ["x", "y"]}
    assert (result.input_rows, result.subjects) == (2, 2)


# ------------------------------------------------------------------------------------- join and expand


def test_subject_join_fills_and_unions(tmp_path):
    path = write(tmp_path, "ID,gender,age,roles\n A1 ,F,,x;y\nb2,M,30,\na1,,20,y;z\nA1,F,,\n")
    result = read_private(path, load_spec(None, subject_id="id", multi_value={"ROLES": ";"}))
    assert table(result) == {
        "gender": ["F", "M"],
        "age": ["20", "30"],
        "roles_x": ["1", ""],
        "roles_y": ["1", ""],
        "roles_z": ["1", ""],
    }
    assert (result.input_rows, result.subjects) == (4, 2)
    col = result.data.schema.columns[2]
    assert (col.name, col.source, col.values, col.multi_value, col.delimiter) == ("roles_x", "roles", ("1",), True, ";")
    assert col.attribute_name == "x"


def test_multi_value_expansion_in_place_sorted_with_zeros_and_escapes(tmp_path):
    path = write(tmp_path, "a,m,b\n1,z| y |0,2\n3,,4\n5,x;1|a:b,6\n")
    result = read_private(path, load_spec(None, multi_value={"m": "|"}))
    assert result.data.schema.names == ["a", "m_a<colon>b", "m_x<semicolon>1", "m_y", "m_z", "b"]
    assert table(result)["m_y"] == ["1", "", ""] and table(result)["m_a<colon>b"] == ["", "", "1"]
    kept = read_private(path, load_spec(None, multi_value={"m": "|"}, sensitive_zeros=["m"]))
    assert "m_0" in kept.data.schema.names


def test_multi_value_sets_above_max_values_are_subsampled_uniformly(tmp_path):
    # 4000 subjects hold the five values a..e (joined from two rows each), 1000 hold a;b; m_c = 2
    rows = "".join(f"{i},a;b;c\n{i},d;e\n" for i in range(4000)) + "".join(f"{i},a;b\n" for i in range(4000, 5000))
    path = write(tmp_path, "id,m,s\n" + rows.replace("\n", ",x\n"))
    spec_path = write(tmp_path, '[multi_value]\nm = ";"\n[max_values]\nM = 2\n', name="spec.toml")
    result = read_private(path, load_spec(spec_path, subject_id="id"), rng=np.random.default_rng(3))
    held = np.column_stack([np.array(table(result)[f"m_{v}"]) == "1" for v in "abcde"])
    assert (held.sum(axis=1) == 2).all()  # exactly m_c kept, none lost
    assert held[4000:, :2].all()  # sets of at most m_c values are kept whole
    # each of the five values is kept with probability 2/5: SD of a share over 4000 subjects 0.0077,
    # tolerance 0.035 (4.5 SD)
    assert held[:4000].mean(axis=0) == pytest.approx([0.4] * 5, abs=0.035)
    assert result.subsampled == {"m": 4000}
    assert result.private_facts()["subjects_with_multi_values_subsampled"] == {"m": 4000}
    assert result.max_attributes == 2 + 1  # m_c for m, 1 for s: from the spec and header only


def test_default_max_values_and_values_subsampled_away(tmp_path):
    # one subject holds seven values, one of them (g) nobody else has; the default m_c is 6
    path = write(tmp_path, "m\na;b;c;d;e;f;g\n" + "a;b;c;d;e;f\n" * 3)
    spec = load_spec(None, multi_value={"m": ";"})
    kept = [read_private(path, spec, rng=np.random.default_rng(s)) for s in range(60)]
    assert all(k.subsampled == {"m": 1} and k.max_attributes == 6 for k in kept)
    assert all((k.data.codes[0] >= 0).sum() == 6 for k in kept)
    # when g is the value dropped, its expanded column goes (no column without a value); both cases occur
    # in 60 runs except with probability (6/7)^60 + (1/7)^60 < 1e-4
    names = {tuple(k.data.schema.names) for k in kept}
    assert names == {("m_a", "m_b", "m_c", "m_d", "m_e", "m_f"), ("m_a", "m_b", "m_c", "m_d", "m_e", "m_f", "m_g")}


def test_no_subject_id_keeps_every_row(tmp_path):
    path = write(tmp_path, "a\nx\nx\n\ny\n")
    result = read_private(path, load_spec(None))
    assert result.data.n_records == 3 and result.subjects == 3
    assert result.data.schema.columns[0].values == ("x", "y")


# ------------------------------------------------------------------------------------------- binning


def test_edges_binning_with_default_labels(tmp_path):
    spec_path = tmp_path / "s.toml"
    spec_path.write_text('[bins.age]\nmethod = "edges"\nedges = [0, 18, 30, inf]\n', encoding="utf-8")
    path = write(tmp_path, "age\n17.9\n18\n0\n29\n\n1e3\n")
    result = read_private(path, load_spec(spec_path))
    # The blank line is skipped; "0" is absent (no sensitive_zeros), so that subject has no age.
    assert table(result) == {"age": ["[0, 18)", "[18, 30)", "", "[18, 30)", "[30, inf]"]}
    # Values are every bin label in bin order (declared); "0" is absent, as everywhere without sensitive_zeros.
    assert result.data.schema.columns[0].values == ("[0, 18)", "[18, 30)", "[30, inf]")
    assert result.bin_edges == {"age": (0.0, 18.0, 30.0, float("inf"))} and result.binning_epsilon == 0.0


def test_equal_width_binning_clips_and_uses_labels(tmp_path):
    spec_path = tmp_path / "s.toml"
    spec_path.write_text(
        '[bins.x]\nmethod = "equal_width"\nlower = 0\nupper = 30\nbins = 3\nlabels = ["low", "mid", "high"]\n',
        encoding="utf-8",
    )
    path = write(tmp_path, "x\n-5\n10\n19.99\n30\n99\n")
    result = read_private(path, load_spec(spec_path, sensitive_zeros=["x"]))
    assert table(result) == {"x": ["low", "mid", "mid", "high", "high"]}
    assert result.bin_edges == {"x": (0.0, 10.0, 20.0, 30.0)}


def test_quantile_binning_reports_epsilon(tmp_path):
    spec_path = tmp_path / "s.toml"
    spec_path.write_text(
        '[bins.v]\nmethod = "quantile"\nlower = 0\nupper = 100\nbins = 2\nepsilon = 50\n', encoding="utf-8"
    )
    # Subject "a" has three rows: the DP quantiles see one value per subject (10, 20, 30, 80, 90).
    text = "id,v\na,10\na,10\na,10\nb,20\nc,30\nd,80\ne,90\n"
    result = read_private(write(tmp_path, text), load_spec(spec_path, subject_id="id"), rng=np.random.default_rng(1))
    assert result.binning_epsilon == 50.0
    lo, mid, hi = result.bin_edges["v"]
    assert (lo, hi) == (0.0, 100.0) and 20 <= mid <= 80
    labels = interval_labels(np.array(result.bin_edges["v"]))
    assert table(result)["v"] == [labels[0]] * 3 + [labels[1]] * 2


def test_assign_bins_and_labels():
    edges = np.array([0.0, 1.0, 2.5])
    assert assign_bins(np.array([-1, 0, 0.999, 1, 2.5, 7]), edges).tolist() == [0, 0, 0, 1, 1, 1]
    assert interval_labels(edges) == ("[0, 1)", "[1, 2.5]")


# ------------------------------------------------------------------------------------- public domains


def spec_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_declared_column_lists_every_declared_value_in_declared_order(tmp_path):
    spec = spec_file(
        tmp_path,
        '[dataset]\nsubject_id = "id"\n[multi_value]\nroles = ";"\n'
        '[domains]\ngender = ["Male", "Female", "Other"]\nroles = ["z", "x", "a:b", "never"]\n',
    )
    path = write(tmp_path, "id,gender,roles,city\n1,Female,x;a:b,Oslo\n2, Male ,,Rome\n1,,z,\n3,,,Oslo\n")
    result = read_private(path, load_spec(spec))
    columns = {c.name: c for c in result.data.schema.columns}
    # Declared order, absent values included ("Other", "never"); escaped as cells are ("a<colon>b").
    assert columns["gender"].values == ("Male", "Female", "Other") and columns["gender"].declared
    assert [n for n in result.data.schema.names if n.startswith("roles_")] == [
        "roles_z",
        "roles_x",
        "roles_a<colon>b",
        "roles_never",
    ]
    assert all(columns[n].declared and columns[n].multi_value for n in columns if n.startswith("roles_"))
    assert not columns["city"].declared and columns["city"].values == ("Oslo", "Rome")  # from the data, as before
    assert table(result) == {
        "gender": ["Female", "Male", ""],
        "roles_z": ["1", "", ""],
        "roles_x": ["1", "", ""],
        "roles_a<colon>b": ["1", "", ""],
        "roles_never": ["", "", ""],
        "city": ["Oslo", "Rome", "Oslo"],
    }


def test_value_outside_the_domain_names_file_row_column_and_value(tmp_path):
    spec = spec_file(tmp_path, '[domains]\ngender = ["Female", "Male"]\n')
    path = write(tmp_path, "gender,age\nFemale,1\nMale,2\n\nfemale,3\nX,4\n")
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec))
    # Values compare exactly (case matters); the blank line still counts as a spreadsheet row.
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 5, "gender")
    assert "value 'female' is not in the column's declared domain" in str(err.value) and str(spec) in str(err.value)


def test_multi_value_part_outside_the_domain_names_its_row(tmp_path):
    (tmp_path / "roles.txt").write_text("Recruiter\nExploiter\n", encoding="utf-8")
    spec = spec_file(tmp_path, '[multi_value]\nroles = ";"\n[domains]\nroles = { file = "roles.txt" }\n')
    path = write(tmp_path, "id,roles\n1,Recruiter;Exploiter\n2,Exploiter ; Smuggler\n")
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec))
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 3, "roles")
    assert "value 'Smuggler'" in str(err.value) and "roles.txt" in str(err.value)


def test_out_of_domain_values_map_to_the_declared_other_value(tmp_path):
    spec = spec_file(
        tmp_path,
        '[multi_value]\nroles = ";"\n[domains.gender]\nvalues = ["F", "M", "Other"]\nother = "Other"\n'
        '[domains.roles]\nvalues = ["a", "b", "other"]\nother = "other"\n',
    )
    path = write(tmp_path, "gender,roles\nF,a;x\nNB,x;y\nM,\n,b\n")
    result = read_private(path, load_spec(spec))
    assert table(result) == {
        "gender": ["F", "Other", "M", ""],
        "roles_a": ["1", "", "", ""],
        "roles_b": ["", "", "", "1"],
        "roles_other": ["1", "1", "", ""],  # x and y both map to "other": one value of the set
    }


def test_binned_columns_are_declared_with_every_bin(tmp_path):
    spec = spec_file(tmp_path, '[bins.age]\nmethod = "equal_width"\nlower = 0\nupper = 90\nbins = 3\n')
    result = read_private(write(tmp_path, "age\n5\n10\n"), load_spec(spec))
    (column,) = result.data.schema.columns
    assert column.declared and column.values == ("[0, 30)", "[30, 60)", "[60, 90]")  # empty bins included
    assert table(result) == {"age": ["[0, 30)", "[0, 30)"]}


def test_domains_of_unused_columns_are_ignored_and_unknown_columns_refused(tmp_path):
    path = write(tmp_path, "a,b\nx,1\ny,2\n")
    spec = spec_file(tmp_path, '[dataset]\nuse_columns = ["a"]\n[domains]\nb = ["9"]\n')
    assert table(read_private(path, load_spec(spec))) == {"a": ["x", "y"]}
    spec = spec_file(tmp_path, '[domains]\nc = ["9"]\n')
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec))
    assert (err.value.file, err.value.column) == (str(spec), "c")
    assert "domains names a column that is not in the header" in str(err.value)


def test_domain_error_comes_before_any_dp_quantile(tmp_path):
    spec = spec_file(
        tmp_path,
        '[bins.v]\nmethod = "quantile"\nlower = 0\nupper = 10\nbins = 2\nepsilon = 1\n[domains]\ng = ["a"]\n',
    )
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match="value 'b' is not in the column's declared domain"):
        read_private(write(tmp_path, "v,g\n1,a\n2,b\n"), load_spec(spec), rng=rng)
    assert rng.bit_generator.state == np.random.default_rng(0).bit_generator.state  # no DP draw was made


# ---------------------------------------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    err = ingest_error(tmp_path / "nope.csv")
    assert str(err) == f"file {tmp_path / 'nope.csv'}: input file not found"


@pytest.mark.parametrize(
    "text, problem",
    [("", "the file is empty"), ("a,b\n", "header but no data rows"), ("a,b\n\n\n", "header but no data rows")],
)
def test_empty_files(tmp_path, text, problem):
    path = write(tmp_path, text)
    assert str(path) in str(ingest_error(path)) and problem in str(ingest_error(path))


def test_empty_parquet(tmp_path):
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"a": pa.array([], pa.string())}), path)
    assert "header but no data rows" in str(ingest_error(path))


def test_wrong_explicit_delimiter(tmp_path):
    path = write(tmp_path, "a;b;c\n1;2;3\n")
    err = ingest_error(path, delimiter=",")
    assert (err.file, err.row) == (str(path), 1)
    assert "read as one column 'a;b;c' with delimiter ','" in str(err)


def test_single_column_file_but_spec_names_several(tmp_path):
    path = write(tmp_path, "a b c\n1 2 3\n")
    err = ingest_error(path, use_columns=["a", "b"])
    assert (err.file, err.column) == (str(path), "a")
    assert "dataset.use_columns names a column that is not in the header (columns: a b c)" in str(err)
    assert "single column: is the delimiter right?" in str(err)


def test_sniffing_fails(tmp_path):
    path = write(tmp_path, "a,b;c\n1;2,3\n4\n")
    err = ingest_error(path)
    assert (err.file, err.row) == (str(path), 1) and "cannot detect the delimiter" in str(err)


@pytest.mark.parametrize(
    "text, row, fields", [("a,b,c\n1,2,3\n\n4,5\n6,7,8\n", 4, 2), ('a,b\n1,"x\ny"\n3,4,5\n', 3, 3)]
)
def test_ragged_rows_name_the_first(tmp_path, text, row, fields):
    path = write(tmp_path, text)
    err = ingest_error(path)
    assert str(err).startswith(f"file {path}, row {row}: this row has {fields} fields but the header has")


def test_undecodable_bytes_with_explicit_encoding(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("a,b\n1,ok\n2,Forl\xec\n".encode("latin-1"))
    err = ingest_error(path, encoding="utf-8")
    assert (err.file, err.row) == (str(path), 3)
    assert "b'\\xec' cannot be decoded as utf-8" in str(err)


def test_unknown_column_in_spec_file_names_spec_and_column(tmp_path):
    spec_path = tmp_path / "s.toml"
    spec_path.write_text('[multi_value]\nroles = ";"\n', encoding="utf-8")
    path = write(tmp_path, "a,b\n1,2\n")
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec_path))
    assert (err.value.file, err.value.column) == (str(spec_path), "roles")
    assert f"multi_value names a column that is not in the header of {path} (columns: a, b)" in str(err.value)


def test_too_many_categories(tmp_path):
    path = write(tmp_path, "id,v\n" + "".join(f"{i},v{i}\n" for i in range(6)))
    spec_path = tmp_path / "s.toml"
    spec_path.write_text("[dataset]\nmax_categories = 5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec_path, subject_id="id"))
    assert (err.value.file, err.value.column) == (str(path), "v")
    assert "6 distinct values, more than dataset.max_categories = 5" in str(err.value)
    assert "bin it ([bins.v])" in str(err.value)


def test_too_many_multi_value_parts(tmp_path):
    path = write(tmp_path, "m\na;b\nc\n")
    spec_path = tmp_path / "s.toml"
    spec_path.write_text('[dataset]\nmax_categories = 2\n[multi_value]\nm = ";"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'm': 3 distinct values"):
        read_private(path, load_spec(spec_path))


def test_subject_id_conflict_lists_rows_and_columns(tmp_path):
    path = write(tmp_path, "id,gender,age,region\na,F,20,EU\nb,M,30,EU\nB,M,31,AS\nA,M,20,EU\n")
    err = ingest_error(path, subject_id="id")
    # Subject "a" appears first; its rows are 2 and 5, the clash is in row 5, column gender.
    assert (err.file, err.row, err.column) == (str(path), 5, "gender")
    assert "subject id 'a' (id, rows 2, 5) has different values 'F' and 'M'" in str(err)
    assert "Columns with such conflicts: gender, age, region" in str(err)
    ok = read_private(path, load_spec(None, subject_id="id", multi_value={"gender": ";", "age": ";", "region": ";"}))
    assert ok.subjects == 2 and table(ok)["age_31"] == ["", "1"]


def test_missing_subject_id(tmp_path):
    path = write(tmp_path, "id,a\n1,x\n  ,y\n")
    err = ingest_error(path, subject_id="ID")
    assert (err.file, err.row, err.column) == (str(path), 3, "id")
    assert "the subject id is empty" in str(err)


def test_non_numeric_value_in_binned_column(tmp_path):
    spec_path = tmp_path / "s.toml"
    spec_path.write_text('[bins.age]\nmethod = "edges"\nedges = [0, 50, 120]\n', encoding="utf-8")
    path = write(tmp_path, "name,age\nx,12\ny,\nz,twelve\n")
    with pytest.raises(InputError) as err:
        read_private(path, load_spec(spec_path))
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 4, "age")
    assert "'twelve' is not a number" in str(err.value)
    path = write(tmp_path, "name,age\nx,12\ny,130\n")
    with pytest.raises(InputError, match=r"row 3, column 'age': 130 is outside the bin edges \[0, 120\]"):
        read_private(path, load_spec(spec_path))


@pytest.mark.parametrize(
    "header, problem", [("a,b, A ", "columns 1 and 3 are both 'A'"), ("a,,c", "column 2 of the header has no name")]
)
def test_bad_header_names(tmp_path, header, problem):
    path = write(tmp_path, header + "\n1,2,3\n")
    err = ingest_error(path)
    assert (err.file, err.row) == (str(path), 1) and problem in str(err)


def test_expanded_name_clash(tmp_path):
    path = write(tmp_path, "m,m_x\nx,1\n")
    err = ingest_error(path, multi_value={"m": ";"})
    assert err.column == "m_x" and "two columns get this name" in str(err)


def test_unsupported_extension(tmp_path):
    assert "unsupported file type '.xlsx'" in str(ingest_error(write(tmp_path, "a\n1\n", name="x.xlsx")))


# ------------------------------------------------------------------------------------- fixture + real


def test_fixture_with_spec_file():
    result = read_private(DATA / "cases.csv", load_spec(DATA / "cases.toml"))
    assert result.name == "cases" and result.title == "Hand-made case records"
    assert table(result) == {
        "age": ["[0, 18)", "[18, 30)", "[30, 120]", ""],
        "gender": ["Female", "Male", "Female", ""],
        "children": ["0", "2", "", "1"],
        "roles_exploiter": ["1", "", "1", ""],
        "roles_recruiter": ["1", "1", "", ""],
    }
    assert result.column_labels["age"] == "Age band" and result.subjects == 4 and result.input_rows == 6


def test_ctdc_value_counts(shared_data):
    ctdc = shared_data("CTDC_VPsynthetic_condensed.csv")
    mv = ["IP_Gender", "IP_ageBroad", "IP_citizen_UNRegion", "IP_Relation", "IP_PayMoney"]
    result = read_private(ctdc, load_spec(None, multi_value={c: ";" for c in mv}))
    frame = result.data.to_frame()
    assert result.data.n_records == 21_195 and result.subjects == 21_195
    counts = {c: frame[c][frame[c] != ""].value_counts().to_dict() for c in frame.columns}
    assert counts["gender"] == {"Female": 9_589, "Male": 7_995}
    assert counts["yearRegister"] == {
        "2014-2018": 6_274,
        "2021-2022": 4_335,
        "2005-2013": 2_531,
        "2019": 2_398,
        "2020": 2_002,
    }
    assert counts["isForcedLabour"] == {"1": 12_248}
    assert counts["IP_Gender_Male"] == {"1": 9_820 + 2_452}
    assert counts["IP_Gender_Female"] == {"1": 3_515 + 2_452}
    assert counts["IP_ageBroad_30--38"] == {"1": 1_196 + 18 + 8 + 3}
    assert counts["IP_Relation_StrangerUnknownOther"] == {"1": 8_321 + 588 + 73}
    assert counts["IP_PayMoney_Yes"] == {"1": 3_136 + 944}
    assert counts["IP_citizen_UNRegion_Americas/Oceania"] == {"1": 200 + 6 + 4 + 1}
    assert [c.name for c in result.data.schema.columns if c.source == "IP_Gender"] == [
        "IP_Gender_Female",
        "IP_Gender_Male",
    ]


# -------------------------------------------------------------------------------- content fingerprint


def test_fingerprint_ignores_row_and_column_order_format_and_spec(tmp_path):
    # Keys the ledger (issue 8, finding 5): the same content under another file, order or format is found.
    text = "id,Gender,age\n1,F,30\n2,M,40\n3,M,41\n"
    base = read_private(write(tmp_path, text), load_spec(None)).fingerprint
    assert base.startswith("sha256:") and len(base) == len("sha256:") + 64
    same = [
        read_private(write(tmp_path, "age,id,gender\n41,3,M\n30,1,F\n40, 2 ,M\n", "b.csv"), load_spec(None)),
        read_private(write(tmp_path, text.replace(",", ";"), "c.txt"), load_spec(None)),
        read_private(write(tmp_path, text.replace(",", "\t"), "d.tsv"), load_spec(None)),
        read_private(write(tmp_path, text, "e.csv"), load_spec(None, subject_id="id", use_columns=["age"])),
    ]
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"age": ["40", "30", "41"], "gender": ["M", "F", "M"], "id": ["2", "1", "3"]}), path)
    same.append(read_private(path, load_spec(None)))
    assert {r.fingerprint for r in same} == {base}
    for other in (
        text[: text.rindex("3,")],
        text.replace("41", "42"),
        text.replace("Gender", "sex"),
        text + "4,F,50\n",
    ):
        assert read_private(write(tmp_path, other, "g.csv"), load_spec(None)).fingerprint != base


def test_ctdc_spec_ships_in_specs_and_the_readme_recipe_uses_it():
    """Issue 10, item 8: the spec is ``specs/ctdc_vp.toml`` in the checkout, and the README's one command names it."""
    assert CTDC_SPEC.is_file() and load_spec(CTDC_SPEC).name == "ctdc_vp"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--input CTDC_VPsynthetic_condensed.csv --spec specs/ctdc_vp.toml" in readme


def test_ctdc_spec_declares_the_codebook_domains(shared_data):
    """The shipped CTDC spec's domains (from the codebook) cover every value of the real file; the codebook's
    "Oceania" perpetrator region, absent from the file, is in the schema all the same."""
    ctdc = shared_data("CTDC_VPsynthetic_condensed.csv")
    spec = load_spec(CTDC_SPEC)
    result = read_private(ctdc, spec)  # raises if a value is outside its declared domain
    assert result.name == "ctdc_vp" and result.data.n_records == 21_195
    columns = result.data.schema.columns
    assert all(c.declared for c in columns)  # every column of the file has a published value list
    assert {c.source for c in columns} == set(spec.domains)
    regions = [c.attribute_name for c in columns if c.source == "IP_citizen_UNRegion"]
    assert regions == ["Africa", "Americas/Oceania", "Asia", "Europe", "Oceania"]
    frame = result.data.to_frame()
    assert (frame["IP_citizen_UNRegion_Oceania"] == "").all()
