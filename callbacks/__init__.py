"""Callbacks, one module per page, each exposing ``register(app)`` (no global ``@dash.callback``)."""

from __future__ import annotations

from dash import Dash


def register_all(app: Dash) -> None:
    from callbacks import data, explore, overview, shell

    for module in (shell, overview, explore, data):
        module.register(app)
