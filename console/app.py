"""The console's app factory: Flask server behind sign-in, Dash page, background-callback manager."""

from __future__ import annotations

import functools
from pathlib import Path

from dash import CeleryManager, Dash, DiskcacheManager
from dash.background_callback.managers import BaseBackgroundCallbackManager as BackgroundManager
from flask import Flask, request

from console import callbacks, navigate, workspace
from console.auth import init_auth
from console.config import ConsoleSettings
from console.layout import layout

ASSETS_DIR = Path(__file__).parent / "assets"
#: Request bodies above this many bytes per upload byte are refused by Flask itself (base64 and JSON overhead);
#: uploads between the limit and that bound get the console's own message.
BODY_FACTOR = 2


def background_manager(settings: ConsoleSettings) -> BackgroundManager:
    """The background-callback manager: Celery workers (Redis) when ``celery_broker`` is set, else the
    embedded DiskcacheManager (jobs in worker processes of the console, state in a diskcache folder)."""
    if settings.celery_broker:
        return celery_manager(settings.celery_broker)
    import diskcache

    return DiskcacheManager(diskcache.Cache(str(settings.workspace / "cache")))


def celery_manager(broker: str) -> CeleryManager:
    """Dash's CeleryManager over a Celery app whose broker and result backend are ``broker`` (Redis)."""
    from celery import Celery

    return CeleryManager(Celery("console", broker=broker, backend=broker))


def too_large(limit: int, _error: Exception) -> tuple[str, int, dict[str, str]]:
    """A readable answer to a body over MAX_CONTENT_LENGTH (the page checks the size before sending)."""
    text = f"The file is too large: the console accepts uploads of up to {limit / 2**20:g} MB. Nothing was stored."
    if request.path.endswith("/_dash-update-component"):
        return text, 413, {"Content-Type": "text/plain; charset=utf-8"}
    page = f'<!doctype html><title>File too large</title><p>{text}</p><p><a href="/">Back to the console</a></p>'
    return page, 413, {"Content-Type": "text/html; charset=utf-8"}


def create_app(settings: ConsoleSettings | None = None, manager: BackgroundManager | None = None) -> Dash:
    """A fully wired console (a fresh one per call: safe for tests); ``manager`` defaults to
    :func:`background_manager` (a Celery worker passes its own, to reach the same tasks)."""
    settings = settings or ConsoleSettings.from_env()
    settings.workspace.mkdir(parents=True, exist_ok=True)
    server = Flask(__name__)
    server.config["MAX_CONTENT_LENGTH"] = BODY_FACTOR * settings.max_upload_bytes + 2**20
    init_auth(server, settings.workspace)
    server.register_error_handler(413, functools.partial(too_large, settings.max_upload_bytes))
    navigate.init_view_cache(server)
    app = Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash documents a Flask server here; its stub says bool
        assets_folder=str(ASSETS_DIR),
        title="Data-owner console",
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no title updates); its stub says str
        serve_locally=True,
        suppress_callback_exceptions=True,
        background_callback_manager=manager or background_manager(settings),
    )
    app.layout = lambda: layout(settings.max_upload_bytes, workspace.input_files(settings.private_dir))
    callbacks.register(app, settings)
    return app
