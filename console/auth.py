"""Sign-in for the console's Flask server: session cookie, rate limit, CSRF, and a gate on every route.

- Sessions: Flask's signed cookie (HttpOnly, SameSite=Strict), secret from :func:`accounts.session_secret`.
- CSRF: a random token per session. The sign-in and sign-out forms carry it as a hidden field; Dash's
  renderer sends the ``_csrf_token`` cookie back as the ``X-CSRFToken`` header of every callback POST (its
  built-in double-submit), which must equal the session's token. A cross-site page can neither read the
  cookie nor set the header, and SameSite=Strict keeps the session cookie off its requests anyway. A
  request whose ``Origin`` is another site is refused too.
- Rate limit: more than ``MAX_FAILURES`` failed sign-ins from one address or for one name within
  ``WINDOW`` seconds are refused (429) until the window has passed.
- Gate: every route but the sign-in page answers 401 without a session (pages redirect to it instead).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, redirect, request, session
from werkzeug.wrappers import Response

from console import accounts, audit

LOGIN, LOGOUT = "/login", "/logout"
CSRF_COOKIE, CSRF_HEADER, CSRF_FIELD = "_csrf_token", "X-CSRFToken", "csrf_token"
MAX_FAILURES, WINDOW = 5, 300.0
PUBLIC_PATHS = frozenset({LOGIN})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Library code and styles (still behind sign-in), which the browser may cache across tabs.
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")


class FailureLimiter:
    """Failed sign-ins per key (address, user name) in a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                times = self._failures[key]
                while times and times[0] <= now - self.window:
                    times.popleft()
            return any(len(self._failures[key]) >= self.max_failures for key in keys)

    def fail(self, *keys: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                self._failures[key].append(now)


def current_user() -> str | None:
    """The signed-in user of this request, or None."""
    return session.get("user")


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _token_ok(sent: str | None) -> bool:
    return bool(sent) and "csrf" in session and hmac.compare_digest(str(sent), session["csrf"])


def _same_origin() -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def login_page(message: str = "", next_path: str = "/") -> str:
    """The sign-in form (plain HTML: no script, nothing of the console before sign-in)."""
    note = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in - data-owner console</title>
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0;font-size:1rem;box-sizing:border-box}}
input,button{{padding:.5rem}}.error{{color:#b00020}}</style></head><body>
<h1>Data-owner console</h1>{note}
<form method="post" action="{LOGIN}">
<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">
<input type="hidden" name="next" value="{escape(next_path)}">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" id="sign-in">Sign in</button></form></body></html>"""


def _safe_next(path: str | None) -> str:
    """Only a local path may follow sign-in (no open redirect)."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/"


def init_auth(server: Flask, workspace: Path, limiter: FailureLimiter | None = None) -> None:
    """Configure the session cookie and install the sign-in routes and the gate on ``server``."""
    server.secret_key = accounts.session_secret(workspace)
    server.config.update(
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    limiter = limiter or FailureLimiter()

    @server.before_request
    def _gate() -> Response | tuple[str, int] | None:
        if request.method in UNSAFE_METHODS and not _same_origin():
            return "cross-site request refused", 403
        if request.path in PUBLIC_PATHS:
            return None
        if current_user() is None:
            if request.method == "GET" and not request.path.startswith("/_"):
                return redirect(f"{LOGIN}?next={request.path}")
            return "sign in first", 401
        if request.method in UNSAFE_METHODS and not _token_ok(
            request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
        ):
            return "missing or wrong CSRF token", 403
        return None

    @server.after_request
    def _csrf_cookie(response: Response) -> Response:
        if current_user() is not None:
            # Read by Dash's renderer and sent back as the X-CSRFToken header (not HttpOnly on purpose).
            response.set_cookie(CSRF_COOKIE, csrf_token(), samesite="Strict", httponly=False)
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith(STATIC_PREFIXES):  # private pages and data: never cached
            response.headers["Cache-Control"] = "no-store"
        return response

    @server.route(LOGIN, methods=["GET", "POST"])
    def _login() -> Response | tuple[str, int] | str:
        next_path = _safe_next(request.values.get("next"))
        if request.method == "GET":
            return login_page(next_path=next_path)
        if not _token_ok(request.form.get(CSRF_FIELD)):
            return login_page("The form expired; please sign in again.", next_path), 403
        name, password = request.form.get("username", ""), request.form.get("password", "")
        keys = (f"addr:{request.remote_addr}", f"user:{name}")
        if limiter.blocked(*keys):
            audit.record(workspace, name, "sign-in refused (rate limit)", address=request.remote_addr)
            return login_page("Too many failed sign-ins; wait a few minutes.", next_path), 429
        if not accounts.verify(workspace, name, password):
            limiter.fail(*keys)
            audit.record(workspace, name, "sign-in failed", address=request.remote_addr)
            return login_page("Wrong user name or password.", next_path), 401
        session.clear()  # a new session (and CSRF token) after sign-in: no fixation
        session.permanent = True
        session["user"] = name
        audit.record(workspace, name, "sign-in", address=request.remote_addr)
        return redirect(next_path)

    @server.route(LOGOUT, methods=["POST"])
    def _logout() -> Response:
        audit.record(workspace, current_user(), "sign-out")
        session.clear()
        response = redirect(LOGIN)
        response.delete_cookie(CSRF_COOKIE)
        return response
