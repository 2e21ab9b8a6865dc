"""Shared layout helpers: graphs with the offline config, cards, notices, the release a page needs."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard.context import newer_release, requires_release
from layouts import ids


def aria(**attributes: str) -> dict[str, Any]:
    """``aria-*`` attributes as Dash wildcard props: ``aria(label="Main")`` is ``{"aria-label": "Main"}``.

    Typed ``Any`` because Dash's typed component signatures cannot name wildcard props.
    """
    return {f"aria-{name}": value for name, value in attributes.items()}


def readable_date(iso: str) -> str:
    """``2026-12-01T15:04:45Z`` as readers write it: ``1 December 2026`` (the ISO text if it does not parse)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return f"{when.day} {when:%B %Y}"


def graph_config(filename: str = "chart") -> dcc.Graph.Config:
    """dcc.Graph config: local topojson (no CDN), no Plotly logo, PNG/SVG export in the browser."""
    return dcc.Graph.Config(
        topojsonURL=dash.get_asset_url("topojson/"),
        displaylogo=False,
        responsive=True,
        toImageButtonOptions={"format": "png", "filename": filename, "scale": 2},
        modeBarButtonsToRemove=["lasso2d", "select2d"],
        modeBarButtonsToAdd=["toImage"],
    )


def graph(graph_id, figure: dict, filename: str, label: str) -> html.Figure:
    """A chart with an accessible name, plus PNG/SVG download buttons (in-browser, offline)."""
    dom_id = graph_id if isinstance(graph_id, str) else None
    buttons = dmc.Group(
        [
            dmc.Button(
                fmt.upper(),
                size="compact-xs",
                variant="subtle",
                className="download-image",
                **{"data-format": fmt, "data-filename": filename, "aria-label": f"Download {label} as {fmt.upper()}"},
            )
            for fmt in ("png", "svg")
        ],
        gap=2,
        justify="flex-end",
        className="chart-tools",
    )
    optional_id: dict[str, Any] = {"id": f"fig-{dom_id}"} if dom_id else {}
    return html.Figure(
        [buttons, dcc.Graph(id=graph_id, figure=figure, config=graph_config(filename))],
        className="chart",
        title=label,
        **optional_id,
        **aria(label=label),
    )


def legend_note() -> dmc.Alert:
    return dmc.Alert(
        [
            html.Span("How to read the counts: ", className="strong"),
            "blue bars are published differentially private aggregates with their 95% interval; "
            "orange hatched bars (marked *) are ",
            html.Em("estimated from synthetic records"),
            " because the combination is longer than the reporting length; ",
            html.Em("not reported"),
            " means differential privacy suppressed the count (it is not zero).",
        ],
        color="gray",
        variant="light",
        className="legend-note",
    )


def no_release() -> html.Div:
    return dmc.Container(
        dmc.Alert(
            [
                html.P("No release published yet."),
                html.P(
                    ["Publish the sample release with ", html.Code("python -m synth demo"), " and reload this page."]
                ),
            ],
            title="Nothing to show yet",
            color="yellow",
            id="no-release",
        ),
        size="md",
        py="xl",
    )


def reload_notice(newer: str) -> dmc.Alert:
    """A newer release than the one this page view shows: say so, with a link that reloads the page."""
    return dmc.Alert(
        [f"Release {newer} has been published since this page was opened. ", html.A("Reload to see it", href="")],
        color="blue",
        id=ids.RELOAD_NOTICE,
        mb="sm",
    )


def with_release(layout: Callable[..., Any]) -> Callable[..., Any]:
    """Page layouts written as ``layout(release, profile, /, **query)`` (positional-only, so that a query
    parameter named like them lands in ``query``), served the release of the page view; with nothing
    published the page is the notice above. A newer release than the page view's adds :func:`reload_notice`.
    """
    page = requires_release(no_release)(layout)

    @functools.wraps(layout)
    def with_notice(*args: Any, release_id: object = None, **query: Any) -> Any:
        content = page(*args, release_id=release_id, **query)
        newer = newer_release(release_id)
        return content if newer is None else html.Div([reload_notice(newer), content])

    return with_notice


def stat_card(title: str, value: str, note: str) -> dmc.Paper:
    return dmc.Paper(
        [
            dmc.Text(title, size="sm", c="dimmed"),
            dmc.Text(value, fw=700, size="xl", className="stat-value"),
            dmc.Text(note, size="xs", c="dimmed"),
        ],
        withBorder=True,
        p="md",
        radius="md",
        className="stat-card",
    )
