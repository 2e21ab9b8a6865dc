"""What the page callbacks share: the release they need."""

from __future__ import annotations

from typing import NoReturn

from dash.exceptions import PreventUpdate

from dashboard.context import requires_release


def _nothing_to_update() -> NoReturn:
    raise PreventUpdate


#: Callbacks written as ``fn(release, profile, *inputs_and_states)``; with nothing published they update
#: nothing (PreventUpdate).
with_release = requires_release(_nothing_to_update)
