"""What the page callbacks share: the release of the page view they belong to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from dash import Dash, State
from dash.exceptions import PreventUpdate

from dashboard.context import requires_release
from layouts import ids


def _nothing_to_update() -> NoReturn:
    raise PreventUpdate


#: Callbacks written as ``fn(release, profile, *inputs_and_states)``; with nothing published they update
#: nothing (PreventUpdate).
with_release = requires_release(_nothing_to_update)


def release_callback(app: Dash, *dependencies: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """``app.callback`` for a :data:`with_release` function, on the release the page was rendered with.

    The shell's ``RELEASE_ID`` store is added as the last State and handed to the function as ``release_id``.
    """

    def register(fn: Callable[..., Any]) -> Any:
        def call(*args: Any) -> Any:
            return fn(*args[:-1], release_id=args[-1])

        call.__name__ = fn.__name__
        return app.callback(*dependencies, State(ids.RELEASE_ID, "data"), **kwargs)(call)

    return register
