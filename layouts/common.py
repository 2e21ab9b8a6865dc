"""Shared layout helpers: graphs with the offline config, cards, notices, the release a page needs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import i18n
from dashboard.citation import source_line
from dashboard.context import requires_release
from dashboard.figures import ESTIMATED_TEXT, NOT_REPORTED_TEXT
from dashboard.i18n import gettext, translate
from dashboard.store import Release
from layouts import ids


def aria(**attributes: str) -> dict[str, Any]:
    """``aria-*`` attributes as Dash wildcard props: ``aria(label="Main")`` is ``{"aria-label": "Main"}``.

    Typed ``Any`` because Dash's typed component signatures cannot name wildcard props.
    """
    return {f"aria-{name}": value for name, value in attributes.items()}


def interpolate(text: str, **parts: Any) -> list:
    """A translated sentence with components in it: ``{name}`` placeholders replaced by ``parts[name]``
    (``interpolate("Run {cmd} now", cmd=html.Code("x"))`` -> ``["Run ", Code("x"), " now"]``)."""
    pieces = re.split(r"\{([a-z_]+)\}", text)
    return [parts[p] if i % 2 else p for i, p in enumerate(pieces) if p]


def readable_date(iso: str) -> str:
    """``2026-12-01T15:04:45Z`` as readers of the active language write it: ``1 December 2026``, ``1 de
    dezembro de 2026`` (the ISO text if it does not parse)."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return i18n.format_date(when)


def graph_config() -> dcc.Graph.Config:
    """dcc.Graph config: local topojson (no CDN), no Plotly logo. Images are exported by the chart's own PNG/SVG
    buttons (``assets/downloads.js``), which print the source line inside the image; the modebar's camera
    would export without it, so it is removed."""
    return dcc.Graph.Config(
        topojsonURL=dash.get_asset_url("topojson/"),
        displaylogo=False,
        responsive=True,
        modeBarButtonsToRemove=["lasso2d", "select2d", "toImage"],
    )


def graph(graph_id, figure: dict, filename: str, label: str, anchor: str | None = None) -> html.Figure:
    """A chart with an accessible name, plus PNG/SVG download buttons (in-browser, offline).

    ``anchor``: the figure's DOM id (a link target); by default ``fig-<graph id>`` for a string graph id.
    """
    dom_id = graph_id if isinstance(graph_id, str) else None
    buttons = dmc.Group(
        [
            dmc.Button(
                fmt.upper(),
                size="compact-xs",
                variant="subtle",
                className="download-image",
                **{
                    "data-format": fmt,
                    "data-filename": filename,
                    "aria-label": gettext("Download {chart} as {format}").format(chart=label, format=fmt.upper()),
                },
            )
            for fmt in ("png", "svg")
        ],
        gap=2,
        justify="flex-end",
        className="chart-tools",
    )
    anchor = anchor or (f"fig-{dom_id}" if dom_id else None)
    optional_id: dict[str, Any] = {"id": anchor} if anchor else {}
    return html.Figure(
        [buttons, dcc.Graph(id=graph_id, figure=figure, config=graph_config())],
        className="chart",
        title=label,
        **optional_id,
        **aria(label=label),
    )


def source_note(release: Release) -> dmc.Text:
    """The page's one source line for all its charts (chart image exports print it inside the image)."""
    return dmc.Text(source_line(release), id=ids.PAGE_SOURCE, size="xs", c="dimmed", className="source-line")


def legend_note() -> dmc.Alert:
    return dmc.Alert(
        [
            html.Span(gettext("How to read the counts:") + " ", className="strong"),
            *interpolate(
                gettext(
                    "blue bars are published differentially private aggregates with their 95% interval; "
                    "orange hatched bars (marked *) are {estimated} because the combination is longer than the "
                    "reporting length; {not_reported} means differential privacy suppressed the count (it is not "
                    "zero)."
                ),
                estimated=html.Em(translate(ESTIMATED_TEXT)),
                not_reported=html.Em(translate(NOT_REPORTED_TEXT)),
            ),
        ],
        color="gray",
        variant="light",
        className="legend-note",
    )


def no_release() -> html.Div:
    return dmc.Container(
        dmc.Alert(
            [
                html.P(gettext("No release published yet.")),
                html.P(
                    interpolate(
                        gettext("Publish the sample release with {command} and reload this page."),
                        command=html.Code("python -m synth demo"),
                    )
                ),
            ],
            title=gettext("Nothing to show yet"),
            color="yellow",
            id="no-release",
        ),
        size="md",
        py="xl",
    )


#: Page layouts written as ``layout(release, profile, /, **query)`` (positional-only, so that a query
#: parameter named like them lands in ``query``); with nothing published the page is the notice above.
with_release = requires_release(no_release)


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
