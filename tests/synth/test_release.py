"""Release bundles: complete-or-nothing writes, atomic switch, checksums, crash safety."""

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from synth import release
from tests.dashboard.release_factory import metadata


def _write(data_dir, name="r", value=1):
    rid = release.new_release_id(name, release.utc_now())
    return release.write_release(
        data_dir,
        metadata(rid, name, created_at=f"2026-01-0{value}T00:00:00Z"),
        tables={
            "aggregates.parquet": pd.DataFrame({"count": [value]}),
            "synthetic_condensed.csv": pd.DataFrame({"a": ["x"]}),
        },
        documents={"evaluation.json": {"v": value}},
    )


def test_write_switches_current_and_records_checksums(tmp_path):
    first = _write(tmp_path, value=1)
    assert release.current_release(tmp_path) == first
    second = _write(tmp_path, value=2)
    assert release.current_release(tmp_path) == second
    assert release.verify_release(first) == [] and release.verify_release(second) == []
    meta = release.read_metadata(second)
    assert meta.format_version == 2 and set(meta.files) == {
        "aggregates.parquet",
        "synthetic_condensed.csv",
        "evaluation.json",
    }
    assert [r.release_id for r in release.list_releases(tmp_path)] == [first.name, second.name]
    assert (tmp_path / "current").is_symlink() and not (tmp_path / "current").readlink().is_absolute()


def test_no_release_yet(tmp_path):
    assert release.current_release(tmp_path) is None
    assert release.list_releases(tmp_path) == []


def test_corruption_is_detected(tmp_path):
    rel = _write(tmp_path)
    (rel / "synthetic_condensed.csv").write_text("a\ny\n")
    assert release.verify_release(rel) == ["synthetic_condensed.csv"]


def test_failure_while_writing_leaves_previous_release_live(tmp_path, monkeypatch):
    first = _write(tmp_path, value=1)
    calls = []

    def failing(path, frame):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError("disk full")
        frame.to_parquet(path) if path.suffix == ".parquet" else frame.to_csv(path)

    monkeypatch.setattr(release, "_write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        _write(tmp_path, value=2)
    assert release.current_release(tmp_path) == first
    assert release.verify_release(first) == []
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [first.name]


@pytest.mark.parametrize("crash_point", ["_write_json", "rename", "switch_current"])
def test_hard_crash_at_any_point_keeps_previous_release(tmp_path, crash_point):
    """A process killed (os._exit, no cleanup) mid-refresh leaves the previous release live and intact."""
    first = _write(tmp_path, value=1)
    script = textwrap.dedent(f"""
        import os, sys, pandas as pd
        from pathlib import Path
        from synth import release
        from tests.dashboard.release_factory import metadata
        def die(*a, **k):
            os._exit(9)
        if {crash_point!r} == "rename":
            release.os.rename = die
        else:
            setattr(release, {crash_point!r}, die)
        release.write_release(Path(sys.argv[1]), metadata("r-crash"),
                              tables={{"aggregates.parquet": pd.DataFrame({{"count": [5]}})}},
                              documents={{"evaluation.json": {{}}}})
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True)
    assert proc.returncode == 9, proc.stderr.decode()
    assert release.current_release(tmp_path) == first
    assert release.verify_release(first) == []
    listed = [r.release_id for r in release.list_releases(tmp_path)]
    assert first.name in listed
    release.remove_stale_temporaries(tmp_path)
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "releases").iterdir())
    assert release.current_release(tmp_path) == first


def test_release_ids_are_unique_and_refuse_overwrite(tmp_path):
    rid = release.new_release_id("d", release.utc_now())
    release.write_release(tmp_path, metadata(rid), tables={}, documents={})
    with pytest.raises(FileExistsError):
        release.write_release(tmp_path, metadata(rid), tables={}, documents={})
