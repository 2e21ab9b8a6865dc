"""Property-based fuzzing of the command line's surface (arguments, spec TOML, input bytes): whatever the input,
``python -m synth refresh`` publishes (exit 0, a release that verifies) or refuses with exit 2 and one printable
line, no traceback, nothing new in the data directory (the previous release current and intact) and the ledger
unchanged; ``kanon`` likewise writes its bundle or nothing. Never exit 3 (a bug)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import json
import math
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import event, given
from hypothesis import strategies as st

from synth import ledger, release
from synth.__main__ import main
from synth.spec import _DATASET_KEYS

#: A small valid input: three categorical columns, 240 records (a refresh of it takes a fraction of a second).
VALID = pd.DataFrame(
    {
        "a": [("x", "y", "z")[i % 3] for i in range(240)],
        "b": [("p", "q")[(i // 3) % 2] for i in range(240)],
        "c": [("u", "v", "")[(i // 7) % 3] for i in range(240)],
    }
)
DATASET_KEYS = [*_DATASET_KEYS, "bogus"]
CODECS = ["utf-8", "latin-1", "utf-16", "base64", "rot13", "hex", "zlib", "punycode", "undefined", "idna", "nope"]

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from(["0.5", "4", "1e-6", "nan", "inf", "-0", "1e999", "abc", "", "9" * 5000]),
)
texts = st.text(max_size=40) | st.sampled_from([".tmp-x", "../x", "a/b", "/abs", "a\0b", "a\nb", "x" * 230, "a,b"])


def _value(v: object) -> str:
    return str(v) if not isinstance(v, str) else v


OPTIONS = {
    "--epsilon": numbers,
    "--delta": numbers,
    "--budget-epsilon": numbers,
    "--budget-delta": numbers,
    "--seed": numbers,
    "--reporting-length": numbers,
    "--percentile-percentage": numbers,
    "--percentile-epsilon-proportion": numbers,
    "--number-of-records-epsilon-proportion": numbers,
    "--name": texts,
    "--encoding": st.sampled_from(CODECS) | texts,
    "--delimiter": st.text(max_size=3),
    "--use-columns": texts | st.sampled_from(["a,b", "a", "zz", "a,a"]),
    "--sensitive-zeros": texts,
    "--subject-id": texts | st.just("a"),
    "--multi-value": texts | st.sampled_from(["a=;", "c=|", "=", "a="]),
    "--synthesizer": texts | st.sampled_from(["gum", "raked_marginals", "aggregate_seeded"]),
    "--synthesizer-option": texts,
    "--accuracy-mode": texts | st.sampled_from(["balanced", "custom"]),
    "--fabrication-mode": texts | st.sampled_from(["progressive", "custom_fixed"]),
    "--sigma-proportions": texts | st.sampled_from(["1,1,1", "0,1", "nan"]),
    "--threshold-values": texts | st.sampled_from(["2=1,3=1", "2=nan", "9=1"]),
}

arguments = st.lists(
    st.sampled_from(sorted(OPTIONS)).flatmap(lambda o: OPTIONS[o].map(lambda v: f"{o}={_value(v)}")), max_size=4
)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value) if isinstance(value, str) else str(value)


scalars = st.one_of(st.booleans(), st.integers(-(10**20), 10**20), st.floats(), st.text(max_size=20))
spec_values = scalars | st.lists(scalars, max_size=4)
# The valid branches are listed several times so that a good share of examples get far (up to publishing).
specs = st.one_of(
    st.none(),
    st.none(),
    st.none(),
    st.dictionaries(st.sampled_from(DATASET_KEYS), spec_values, max_size=4).map(
        lambda d: "[dataset]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in d.items())
    ),
    st.sampled_from(
        [
            '[bins.a]\nmethod = "equal_width"\nlower = 0\nupper = 1\nbins = 1000000000000\n',
            "[domains]\na = " + "[" * 3000 + "]" * 3000 + "\n",
            '[multi_value]\nc = ";"\n[max_values]\nc = 0\n',
            '[domains]\na = ["x", "y"]\n',
        ]
    ),
    st.text(max_size=200),
)


def _valid_bytes(delimiter: str) -> bytes:
    return VALID.to_csv(index=False, sep=delimiter).encode()


valid_inputs = st.tuples(st.just(".csv"), st.sampled_from([",", ";", "\t", "|"]).map(_valid_bytes))
inputs = st.one_of(
    valid_inputs,
    valid_inputs,
    valid_inputs,
    st.tuples(st.sampled_from([".csv", ".tsv", ".parquet", ".txt", ".xyz", ""]), st.binary(max_size=600)),
    st.tuples(
        st.just(".csv"),
        st.lists(st.lists(st.text(max_size=6), min_size=1, max_size=4), min_size=1, max_size=30).map(
            lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")
        ),
    ),
)


def run_cli(argv: list[str]) -> tuple[int, str]:
    """``python -m synth`` in-process: exit code and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
    return code, err.getvalue()


@functools.cache
def _published() -> Path:
    """A data folder with one release of VALID and its private workspace (ledger), made once, copied per example."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-template-"))
    atexit.register(shutil.rmtree, root, True)
    (root / "valid.csv").write_bytes(_valid_bytes(","))
    code, err = run_cli(
        [
            "refresh",
            "--input",
            str(root / "valid.csv"),
            "--data-dir",
            str(root / "data"),
            "--private-dir",
            str(root / "p"),
        ]
    )
    assert code == 0, err
    return root


def run_on(root: Path, command: list[str], source: tuple[str, bytes], spec: str | None, extra: list[str]) -> int:
    """Copy the published template to ``root``, write the input (and spec) there and run ``command`` on them with
    the ``extra`` arguments. Asserts exit 0 or 2, and on 2: one printable line without a traceback, the ledger
    unchanged, the data folder unchanged (the previous release current and intact)."""
    for folder in ("data", "p"):
        shutil.copytree(_published() / folder, root / folder, symlinks=True)
    ledger_before = (root / "p" / ledger.LEDGER).read_bytes()
    data_before = sorted(p.name for p in (root / "data" / "releases").iterdir())
    suffix, content = source
    path = root / f"input{suffix}"
    path.write_bytes(content)
    argv = [*command, "--input", str(path), "--data-dir", str(root / "data"), "--private-dir", str(root / "p")]
    if spec is not None:
        (root / "spec.toml").write_text(spec, encoding="utf-8", errors="surrogatepass")
        argv += ["--spec", str(root / "spec.toml")]
    code, err = run_cli(argv + extra)
    event(f"exit {code}")
    assert code in (0, 2), err
    if code == 2:
        lines = err.rstrip("\n").split("\n")
        assert len(lines) == 1 and lines[0].isprintable() and "Traceback" not in err, err
        assert (root / "p" / ledger.LEDGER).read_bytes() == ledger_before
        assert sorted(p.name for p in (root / "data" / "releases").iterdir()) == data_before
        current = release.current_release(root / "data")
        assert current is not None and current.name == data_before[0] and release.verify_release(current) == []
    return code


@given(inputs, specs, arguments)
def test_refresh_publishes_or_refuses_with_one_line(source, spec, extra):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if run_on(root, ["refresh"], source, spec, extra) == 0:
            current = release.current_release(root / "data")
            assert current is not None and len(release.list_releases(root / "data")) == 2
            assert release.verify_release(current) == []


KANON_OPTIONS = {
    "--mode": st.sampled_from(["row_seeded", "unseeded", "value_seeded", "aggregate_seeded"]) | texts,
    "--resolution": numbers,
    "--reporting-length": numbers,
    "--seed": numbers,
    "--name": texts,
    "--encoding": st.sampled_from(CODECS) | texts,
    "--use-columns": texts | st.sampled_from(["a,b", "zz"]),
}
kanon_arguments = st.lists(
    st.sampled_from(sorted(KANON_OPTIONS)).flatmap(lambda o: KANON_OPTIONS[o].map(lambda v: f"{o}={_value(v)}")),
    max_size=3,
)


@given(inputs, specs, kanon_arguments)
def test_kanon_writes_its_bundle_or_refuses_with_one_line(source, spec, extra):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        out = root / "bundle"
        code = run_on(root, ["kanon", "--out", str(out)], source, spec, extra)
        assert (out / "synthetic_condensed.csv").is_file() if code == 0 else not out.exists()
