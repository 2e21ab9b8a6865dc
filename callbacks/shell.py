"""Shell callbacks: the copy-link button copies the address of the exact current view."""

from __future__ import annotations

from dash import Dash, Input, Output

from layouts import ids

COPY_LINK_JS = """
function(n) {
    return [window.location.href, n ? "Link copied" : "Copy link"];
}
"""


def register(app: Dash) -> None:
    app.clientside_callback(COPY_LINK_JS, Output(ids.COPY_LINK, "content"), Output(ids.COPY_LINK_STATUS, "children"),
                            Input(ids.COPY_LINK, "n_clicks"), prevent_initial_call=True)
