"""Shell callbacks: the copy-link button copies the address of the exact current view."""

from __future__ import annotations

from dash import Dash, Input, Output

from layouts import ids

COPY_LINK_JS = """
async function(n) {
    const href = window.location.href;
    try {
        await navigator.clipboard.writeText(href);
        return "Link copied";
    } catch (err) {
        return "Copy this link: " + href;
    }
}
"""


def register(app: Dash) -> None:
    app.clientside_callback(
        COPY_LINK_JS,
        Output(ids.COPY_LINK_STATUS, "children"),
        Input(ids.COPY_LINK, "n_clicks"),
        prevent_initial_call=True,
    )
