"""Sign-in, sessions, CSRF and the gate on every console route (Flask test client)."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from console import accounts, audit
from console.app import create_app
from console.auth import FailureLimiter
from tests.console.conftest import PASSWORD, USER, csrf_cookie, form_token, sign_in


def _callback_body(app) -> dict:
    """A well-formed call of the runs-table callback (it needs no input file), built from the callback map."""
    key = next(k for k in app.callback_map if "c-runs-table.children" in k)
    spec = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in key.strip(".").split("...")]
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [{**i, "value": None} for i in spec["inputs"]],
        "changedPropIds": [f"{spec['inputs'][0]['id']}.{spec['inputs'][0]['property']}"],
        "state": [{**st, "value": None} for st in spec["state"]],
    }


def _routes(app) -> list[tuple[str, str]]:
    """Every console URL: the Flask routes (methods each) plus the page and a Dash component asset."""
    out = []
    for rule in app.server.url_map.iter_rules():
        url = rule.rule.replace("<path:path>", "x").replace("<path:filename>", "console.css")
        url = url.replace("<string:package_name>", "dash").replace("<path:fingerprinted_path>", "dash.js")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((method, url))
    return out


def test_every_route_but_the_sign_in_page_refuses_an_unauthenticated_request(app, client):
    routes = _routes(app)
    assert ("POST", "/_dash-update-component") in routes and ("GET", "/_dash-layout") in routes
    assert ("GET", "/_dash-dependencies") in routes and ("GET", "/") in routes
    for method, url in routes:
        response = client.open(url, method=method, json={} if method == "POST" else None)
        if url == "/login":
            continue
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")
        assert b"c-upload" not in response.data


def test_a_callback_call_without_a_session_is_refused(app, client):
    response = client.post("/_dash-update-component", json=_callback_body(app))
    assert response.status_code == 401


def test_sign_in_opens_the_console_and_sets_strict_http_only_cookies(app, client):
    assert client.get("/").status_code == 302
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("console_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Strict" in session_cookie
    page = client.get("/")
    assert page.status_code == 200 and b"Data-owner console" in page.data
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/_dash-dependencies").status_code == 200
    body = _callback_body(app)
    ok = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    assert ok.status_code == 200 and "c-table" in ok.get_data(as_text=True)


def test_a_callback_call_with_a_missing_or_forged_csrf_token_is_refused(app, signed_in):
    body = _callback_body(app)
    assert signed_in.post("/_dash-update-component", json=body).status_code == 403
    forged = signed_in.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 403


def test_a_cross_site_post_is_refused_even_with_the_token(app, signed_in):
    headers = {"X-CSRFToken": csrf_cookie(signed_in), "Origin": "https://evil.example"}
    assert signed_in.post("/_dash-update-component", json=_callback_body(app), headers=headers).status_code == 403


def test_the_sign_in_form_needs_its_csrf_token(client):
    client.get("/login")
    response = client.post("/login", data={"username": USER, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 403 and client.get("/").status_code == 302


def test_a_wrong_password_or_unknown_user_is_refused(client):
    assert sign_in(client, password="wrong password!").status_code == 401
    assert sign_in(client, user="nobody").status_code == 401
    assert client.get("/").status_code == 302


def test_failed_sign_ins_are_rate_limited(client):
    for _ in range(5):
        assert sign_in(client, password="wrong password!").status_code == 401
    blocked = sign_in(client)  # even the right password, until the window has passed
    assert blocked.status_code == 429 and b"Too many failed sign-ins" in blocked.data


def test_the_failure_limiter_forgets_after_its_window():
    limiter = FailureLimiter(max_failures=2, window=10.0)
    limiter.fail("a", now=0.0)
    limiter.fail("a", now=1.0)
    assert limiter.blocked("a", now=5.0) and not limiter.blocked("b", now=5.0)
    assert not limiter.blocked("a", now=11.5)


def test_sign_out_ends_the_session(signed_in):
    response = signed_in.post("/logout", data={"csrf_token": csrf_cookie(signed_in)})
    assert response.status_code == 302 and signed_in.get("/").status_code == 302


def test_sign_out_without_the_token_is_refused(signed_in):
    assert signed_in.post("/logout").status_code == 403
    assert signed_in.get("/").status_code == 200


def test_next_after_sign_in_stays_on_this_site(client):
    response = client.post(
        "/login",
        data={"username": USER, "password": PASSWORD, "csrf_token": form_token(client), "next": "//evil.example/x"},
    )
    assert response.headers["Location"] == "/"


def test_passwords_are_salted_slow_hashes_and_never_logged(settings, client, caplog):
    accounts.add_user(settings.workspace, "second", PASSWORD)
    stored = accounts.load_accounts(settings.workspace)
    assert stored[USER].startswith("scrypt:") and stored[USER] != stored["second"]
    caplog.set_level(logging.DEBUG)
    sign_in(client, password="wrong password!")
    sign_in(client)
    text = "".join(p.read_text() for p in settings.workspace.rglob("*") if p.is_file() and "cache" not in p.parts)
    assert PASSWORD not in text and "wrong password!" not in text
    assert PASSWORD not in caplog.text and "wrong password!" not in caplog.text
    actions = [e["action"] for e in audit.entries(settings.workspace)]
    assert actions == ["sign-in failed", "sign-in"]


def test_the_session_secret_is_private_and_kept_across_restarts(settings):
    first = create_app(settings).server.secret_key
    path = settings.workspace / accounts.SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(settings.workspace / accounts.ACCOUNTS_FILE).st_mode) == 0o600
    assert create_app(settings).server.secret_key == first and len(first) == 64


@pytest.mark.parametrize(("name", "password"), [("bad name", PASSWORD), ("ok", "short"), ("", PASSWORD)])
def test_bad_account_names_and_short_passwords_are_refused(settings, name, password):
    with pytest.raises(accounts.AccountError):
        accounts.add_user(settings.workspace, name, password)


def test_add_user_from_the_command_line_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    import io

    from console.__main__ import main

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main(["--private-dir", str(tmp_path / "p"), "--add-user", "alice"]) == 0
    assert accounts.verify(tmp_path / "p" / "console", "alice", "a long enough password")
    assert "a long enough password" not in capsys.readouterr().out
    assert json.loads((tmp_path / "p" / "console" / "accounts.json").read_text())["users"]["alice"].startswith(
        "scrypt:"
    )


def test_pages_and_callbacks_are_never_cached_but_library_code_may_be(app, signed_in):
    assert signed_in.get("/").headers["Cache-Control"] == "no-store"
    assert signed_in.get("/_dash-layout").headers["Cache-Control"] == "no-store"
    suite = next(url for method, url in _routes(app) if url.startswith("/_dash-component-suites/") and method == "GET")
    assert "no-store" not in signed_in.get(suite).headers.get("Cache-Control", "")


def test_a_body_over_the_server_limit_gets_a_readable_answer_not_a_bare_413(app, settings, signed_in):
    limit = app.server.config["MAX_CONTENT_LENGTH"]
    assert limit > settings.max_upload_bytes * 4 // 3  # an upload at the limit (base64 in JSON) still reaches Dash
    headers = {"X-CSRFToken": csrf_cookie(signed_in)}
    body = b'{"x": "' + b"a" * limit + b'"}'
    answer = signed_in.post("/_dash-update-component", data=body, headers=headers, content_type="application/json")
    assert answer.status_code == 413
    assert answer.get_data(as_text=True).startswith("The file is too large: the console accepts uploads of up to")
    page = signed_in.post("/login", data=body, headers=headers, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and "Back to the console" in page.get_data(as_text=True)
    assert "Request Entity Too Large" not in page.get_data(as_text=True)


def test_the_upload_controls_refuse_a_file_over_the_limit_before_sending_it(app, settings, signed_in):
    layout = signed_in.get("/_dash-layout").get_json()
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Upload":
                found[node["props"]["id"]] = node["props"].get("max_size")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(layout)
    assert found == {"c-upload": settings.max_upload_bytes, "c-spec-load": settings.max_upload_bytes}
