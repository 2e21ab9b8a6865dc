"""Security headers (flask-talisman) and per-client rate limits (Flask-Limiter) for pages, API and exports.

Content Security Policy: everything from this origin only. Dash's one inline script (the renderer's start)
and the clientside callbacks are allowed by their hashes (``Dash.csp_hashes``), never by
``'unsafe-inline'``; styles need ``'unsafe-inline'`` because Mantine (emotion), Plotly and AG Grid insert
``<style>`` elements at run time. Plotly draws maps from a ``data:``/``blob:`` image and web workers, so those
are allowed for images and workers only. No framing (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``).
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash
from flask import jsonify
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Settings
from dashboard.i18n import format_decimal, gettext, ngettext

REFERRER_POLICY = "strict-origin-when-cross-origin"
#: A rate limit's window in words, per ``limits`` granularity ("1 minute", "2 horas"); ``{n}`` is its length.
WINDOWS: dict[str, Callable[[int], str]] = {
    "second": lambda n: ngettext("{n} second", "{n} seconds", n),
    "minute": lambda n: ngettext("{n} minute", "{n} minutes", n),
    "hour": lambda n: ngettext("{n} hour", "{n} hours", n),
    "day": lambda n: ngettext("{n} day", "{n} days", n),
    "month": lambda n: ngettext("{n} month", "{n} months", n),
    "year": lambda n: ngettext("{n} year", "{n} years", n),
}


def rate_limited_body(exc: RateLimitExceeded) -> dict[str, str]:
    """The 429's JSON: ``error`` in English with Flask-Limiter's description of the limit (as it always was),
    ``code``, and ``message`` wholly in the reader's language, the limit's numbers formatted for it."""
    item = exc.limit.limit
    window = WINDOWS[item.GRANULARITY.name](item.multiples).format(n=format_decimal(item.multiples))
    message = gettext("too many requests (at most {amount} in {window}); wait and try again")
    return {
        "error": f"too many requests ({exc.description}); wait a minute and try again",
        "code": "rate_limited",
        "message": message.format(amount=format_decimal(item.amount), window=window),
    }


def content_security_policy(app: Dash) -> dict[str, str | list[str]]:
    """The CSP of every response; call after every (clientside) callback is registered."""
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *app.csp_hashes()],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "worker-src": ["'self'", "blob:"],
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_security(app: Dash, settings: Settings) -> Limiter:
    """Security headers on every response and rate limits on ``/api/`` and ``/export/`` (429, JSON error)."""
    talisman = Talisman(
        app.server,
        force_https=False,  # TLS ends at the reverse proxy (docs/deploy.md); it sets HSTS
        strict_transport_security=False,
        frame_options="DENY",
        content_security_policy=content_security_policy(app),
        referrer_policy=REFERRER_POLICY,
        session_cookie_secure=False,  # the app sets no cookies
    )
    server = app.server
    if settings.proxy_hops:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)

    @server.before_request
    def _hash_late_inline_scripts() -> None:
        """Dash pages add one more clientside callback (the page title) at the first request, in a hook that
        runs before this one: hash the inline scripts again then, once."""
        if not hashed:
            talisman.content_security_policy = content_security_policy(app)
            hashed.append(True)

    hashed: list[bool] = []
    limiter = Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.ratelimit_storage_uri,
        headers_enabled=True,
        swallow_errors=True,  # a rate-limit storage outage (redis down) must not turn every request into a 500
    )
    limits = {"/api/": settings.rate_limit_api, "/export/": settings.rate_limit_exports}
    for rule in list(server.url_map.iter_rules()):
        for prefix, limit in limits.items():
            if limit and rule.rule.startswith(prefix):
                view = server.view_functions[rule.endpoint]
                server.view_functions[rule.endpoint] = limiter.shared_limit(limit, scope=prefix)(view)

    @server.errorhandler(429)
    def _too_many(exc: RateLimitExceeded):
        return jsonify(rate_limited_body(exc)), 429

    return limiter
