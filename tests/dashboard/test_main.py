"""``python -m dashboard``: command-line options override the ``DASHBOARD_*`` variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.__main__ import main, parse


def test_data_dir_option_overrides_the_environment(monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", "from/env")
    settings, _ = parse(["--data-dir", "given/dir", "--port", "8123", "--host", "0.0.0.0"])
    assert (settings.data_dir, settings.port, settings.host) == (Path("given/dir"), 8123, "0.0.0.0")


def test_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", "from/env")
    monkeypatch.setenv("DASHBOARD_PORT", "9000")
    settings, args = parse([])
    assert (settings.data_dir, settings.port, args.debug) == (Path("from/env"), 9000, False)


def test_a_bad_port_is_refused_in_one_line(capsys):
    with pytest.raises(ValueError, match="DASHBOARD_PORT"):
        parse(["--port", "70000"])
    assert main(["--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DASHBOARD_PORT must be 1..65535" in err
