"""Uploads and file picking: nothing is read or written outside the private workspace."""

from __future__ import annotations

import base64
import os

import pytest

from console.workspace import WorkspaceError, input_files, pick, save_upload
from tests.console.conftest import write


def _data_url(data: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(data).decode()


@pytest.fixture
def private(tmp_path):
    root = tmp_path / "private"
    write(root / "cases.csv", "a\n1\n")
    write(root / "sample" / "sample_cases.csv", "a\n1\n")
    write(root / "reports" / "r1" / "x.csv", "a\n")  # reports are never inputs
    write(root / "console" / "runs" / "r" / "y.csv", "a\n")
    write(root / ".hidden.csv", "a\n")
    write(root / "notes.md", "x")
    write(tmp_path / "outside.csv", "secret\n1\n")
    os.symlink(tmp_path / "outside.csv", root / "link.csv")
    os.symlink(tmp_path, root / "linked_folder")
    return root


def test_only_real_input_files_inside_the_workspace_are_listed(private):
    assert input_files(private) == ["cases.csv", "sample/sample_cases.csv"]


@pytest.mark.parametrize(
    "name", ["../outside.csv", "link.csv", "linked_folder/outside.csv", "/etc/passwd", "reports/r1/x.csv", "notes.md"]
)
def test_picking_cannot_escape_the_workspace(private, name, tmp_path):
    with pytest.raises(WorkspaceError):
        pick(private, name)
    with pytest.raises(WorkspaceError):
        pick(private, str(tmp_path / "outside.csv"))


def test_picking_a_listed_file_gives_its_path(private):
    assert pick(private, "sample/sample_cases.csv") == (private / "sample" / "sample_cases.csv").resolve()


def test_an_upload_is_stored_under_a_safe_name_in_the_workspace(private):
    saved = save_upload(private, private / "console", "../../evil name.csv", _data_url(b"a,b\n1,2\n"), 100)
    assert saved == "console/uploads/evil_name.csv"
    assert (private / saved).read_bytes() == b"a,b\n1,2\n"


def test_an_upload_over_the_limit_is_refused_with_a_message_and_not_written(private):
    with pytest.raises(WorkspaceError, match=r"big.csv: too large \(the limit is"):
        save_upload(private, private / "console", "big.csv", _data_url(b"x" * 101), 100)
    assert not (private / "console" / "uploads" / "big.csv").exists()
    save_upload(private, private / "console", "fits.csv", _data_url(b"x" * 100), 100)


@pytest.mark.parametrize(
    ("name", "contents"), [("a.exe", _data_url(b"x")), ("a.csv", "no data url"), ("a.csv", "data:,@@@")]
)
def test_bad_uploads_are_refused(private, name, contents):
    with pytest.raises(WorkspaceError):
        save_upload(private, private / "console", name, contents, 100)
