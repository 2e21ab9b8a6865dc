"""The app factory: explicit page registration, per-page callbacks, cache, API routes and health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dash
from dash import Dash, State
from flask import Flask, Response, request

from dashboard import i18n
from dashboard.api import is_catch_all, register_routes
from dashboard.cache import init_cache
from dashboard.callback_guard import guard_callbacks
from dashboard.config import Settings
from dashboard.context import EXTENSION
from dashboard.i18n import N_
from dashboard.security import init_security
from dashboard.store import ReleaseStore
from layouts import ids

ASSETS_DIR = Path(__file__).parent / "assets"
APP_TITLE = N_("Privacy-preserving data showcase")


@dataclass(frozen=True)
class Page:
    module: str
    path: str
    name: str
    title: str
    description: str
    layout: Callable
    order: int


def pages() -> list[Page]:
    from layouts import about, data, explore, overview

    return [
        Page(
            "layouts.overview",
            "/",
            N_("Overview"),
            N_("Overview"),
            N_("Headline figures, trends, map and breakdowns"),
            overview.layout,
            0,
        ),
        Page(
            "layouts.explore",
            "/explore",
            N_("Explore"),
            N_("Explore"),
            N_("Cross-filter bar charts: estimated vs published"),
            explore.layout,
            1,
        ),
        Page(
            "layouts.data",
            "/data",
            N_("Data"),
            N_("Data"),
            N_("Synthetic records and aggregate tables, with exports"),
            data.layout,
            2,
        ),
        Page(
            "layouts.about",
            "/about",
            N_("About this data"),
            N_("About this data"),
            N_("Parameters, privacy explanation, evaluation, history and citation"),
            about.layout,
            3,
        ),
    ]


def create_app(settings: Settings | None = None) -> Dash:
    """Build a fully wired Dash app (a fresh one per call: safe for tests)."""
    settings = settings or Settings.from_env()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS_DIR),
        title=APP_TITLE,
        suppress_callback_exceptions=True,
        health_endpoint="healthz",
        update_title=None,  # type: ignore[arg-type]  # Dash documents None (no title updates); its stub says str
        serve_locally=True,
        # the page content is rendered with the release the shell showed (not whatever is current by then)
        routing_callback_inputs={"release_id": State(ids.RELEASE_ID, "data")},
    )
    from layouts.shell import INDEX_STRING, shell_layout

    app.index_string = INDEX_STRING
    dash.page_registry.clear()
    for page in pages():
        dash.register_page(
            page.module,
            path=page.path,
            name=page.name,
            title=_in_language(page.title),  # Dash calls these per request: the tab title follows the language
            description=_in_language(page.description),
            layout=page.layout,
            order=page.order,
        )
    app.server.extensions[EXTENSION] = {"store": ReleaseStore(settings.data_dir), "settings": settings}
    init_cache(app.server, settings)
    from callbacks import register_all

    register_all(app)
    guard_callbacks(app.server, app.callback_map)
    register_routes(app.server)
    _page_status(app.server, {page.path for page in pages()})
    app.server.after_request(i18n.remember_choice)
    index = app.interpolate_index
    app.interpolate_index = lambda **parts: i18n.html_lang(  # type: ignore[method-assign]
        index(**{**parts, "title": _first_title(request.path)})
    )
    init_security(app, settings)
    app.layout = shell_layout
    return app


def _first_title(path: str) -> str:
    """The ``<title>`` of the page served at ``path``, in the request's language, before Dash's page-title
    callback sets it in the browser (the app's title for an unknown path)."""
    titles = {page.path: page.title for page in pages()}
    return i18n.translate(titles.get(path.rstrip("/") or "/", APP_TITLE))


def _in_language(message: str) -> Callable[..., str]:
    """A page's title or description as Dash calls it (with the path variables), in the request's language."""
    return lambda **_: i18n.translate(message)


def _page_status(server: Flask, page_paths: set[str]) -> None:
    """An unknown page path still gets the app (which shows its "not found" page) but with status 404."""

    @server.after_request
    def _unknown_page(response: Response) -> Response:
        if is_catch_all(request) and (request.path.rstrip("/") or "/") not in page_paths:
            response.status_code = 404
        return response
