"""Shell callbacks: the copy-link button copies the address of the exact current view; the burger opens and
closes the nav on narrow screens (closed again after navigating)."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State

from layouts import ids

COPY_LINK_JS = """
async function(n, texts) {
    const href = window.location.href;
    try {
        await navigator.clipboard.writeText(href);
        return texts.copied;
    } catch (err) {
        return texts.copy + " " + href;
    }
}
"""


TOGGLE_NAV_JS = """
function(opened, navbar) {
    return [{...navbar, collapsed: {mobile: !opened, desktop: true}}, opened ? "true" : "false"];
}
"""

#: Each language link keeps the current page and query, with its own ``lang``.
LANG_HREFS_JS = """
function(href, ids) {
    const url = new URL(href || window.location.href);
    return ids.map(function(id) {
        url.searchParams.set("lang", id.lang);
        return url.pathname + url.search + url.hash;
    });
}
"""

CLOSE_NAV_JS = """
function(pathname) { return false; }
"""


def register(app: Dash) -> None:
    app.clientside_callback(
        TOGGLE_NAV_JS,
        Output(ids.APP_SHELL, "navbar"),
        Output(ids.NAV_BURGER, "aria-expanded"),
        Input(ids.NAV_BURGER, "opened"),
        State(ids.APP_SHELL, "navbar"),
    )
    app.clientside_callback(
        CLOSE_NAV_JS, Output(ids.NAV_BURGER, "opened"), Input(ids.SHELL_URL, "pathname"), prevent_initial_call=True
    )
    app.clientside_callback(
        LANG_HREFS_JS,
        Output({"type": ids.LANG_LINK, "lang": ALL}, "href"),
        Input(ids.SHELL_URL, "href"),
        State({"type": ids.LANG_LINK, "lang": ALL}, "id"),
    )
    app.clientside_callback(
        COPY_LINK_JS,
        Output(ids.COPY_LINK_STATUS, "children"),
        Input(ids.COPY_LINK, "n_clicks"),
        State(ids.COPY_LINK_TEXTS, "data"),
        prevent_initial_call=True,
    )
