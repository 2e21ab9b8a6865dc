"""A console over a temporary private workspace, with one account, and a Flask test client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console import accounts, runs
from console.app import create_app
from console.config import ConsoleSettings
from console.prepare import save_spec, spec_document
from synth.sample import write_sample

USER, PASSWORD = "owner", "correct horse battery"


@pytest.fixture
def settings(tmp_path) -> ConsoleSettings:
    s = ConsoleSettings(private_dir=tmp_path / "private", data_dir=tmp_path / "data", max_upload_bytes=2000)
    accounts.add_user(s.workspace, USER, PASSWORD)
    return s


@pytest.fixture
def request_(settings) -> runs.RunRequest:
    """A run over the generated sample (2000 victims) with a two-column spec."""
    write_sample(settings.private_dir / "cases.csv", n_victims=2000, seed=3)
    doc = spec_document(
        name="cases", subject_id="case_id", use_columns=["gender", "ageBroad"], sensitive_zeros=[], multi_value={}
    )
    save_spec(doc, settings.workspace / "specs" / "cases.toml")
    return runs.RunRequest(input="cases.csv", spec="console/specs/cases.toml", epsilon=2.0, reporting_length=2)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.server.test_client()


def form_token(client) -> str:
    """The CSRF token of the sign-in form."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def sign_in(client, user: str = USER, password: str = PASSWORD):
    return client.post("/login", data={"username": user, "password": password, "csrf_token": form_token(client)})


@pytest.fixture
def signed_in(client):
    assert sign_in(client).status_code == 302
    return client


def csrf_cookie(client) -> str:
    cookie = client.get_cookie("_csrf_token")
    assert cookie is not None
    return cookie.value


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
