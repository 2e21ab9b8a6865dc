"""Shared layout helpers: graphs with the offline config, cards, notices, the release a page needs."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import dash
import dash_mantine_components as dmc
import orjson
from dash import dcc, html
from plotly.io.json import to_json_plotly

from dashboard import figures, i18n
from dashboard.citation import source_line
from dashboard.context import newer_release, requires_release
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
    """dcc.Graph config: local topojson (no CDN), no Plotly logo, no toolbar.

    The toolbar (modebar) is hidden: on hover it covered the chart's own PNG/SVG buttons and legend, and its
    camera would export an image without the title and source line that those buttons (``assets/downloads.js``)
    draw in; its zoom tools are still at hand without it (drag to zoom, double-click to reset, scroll to zoom a
    map).
    """
    return dcc.Graph.Config(
        topojsonURL=dash.get_asset_url("topojson/"),
        displaylogo=False,
        displayModeBar=False,
        responsive=True,
    )


def chart_title(graph_id, figure: dict) -> html.Figcaption:
    """A chart's title as its HTML caption (wraps at any width); a callback that changes the figure's title
    updates this caption too (id :func:`ids.caption` of a string graph id)."""
    optional_id: dict[str, Any] = {"id": ids.caption(graph_id)} if isinstance(graph_id, str) else {}
    return html.Figcaption(figures.title_of(figure), className="chart-title", **optional_id)


def graph(graph_id, figure: dict, filename: str, label: str, anchor: str | None = None) -> html.Figure:
    """A chart with an accessible name, its title as caption, and PNG/SVG download buttons (in-browser, offline).

    ``anchor``: the figure's DOM id (a link target); by default ``fig-<graph id>`` for a string graph id.
    The graph's height is the figure's: a responsive plotly graph fills its container, so the container
    must have a height (without one, charts in a grid collapsed to a few pixels on a phone).
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
    height = figure.get("layout", {}).get("height")
    return html.Figure(
        [
            chart_title(graph_id, figure),
            buttons,
            dcc.Graph(
                id=graph_id,
                figure=figure,
                config=graph_config(),
                style={"height": f"{height}px"} if height else None,
                className="chart-graph",
            ),
        ],
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


def reload_notice(newer: str) -> dmc.Alert:
    """A newer release than the one this page view shows: say so, with a link that reloads the page."""
    return dmc.Alert(
        [f"Release {newer} has been published since this page was opened. ", html.A("Reload to see it", href="")],
        color="blue",
        id=ids.RELOAD_NOTICE,
        mb="sm",
    )


#: Page contents kept per release (see :func:`remembered`): pages x languages x the queries seen most.
PAGE_MEMO_SIZE = 64


def as_json(tree: Any) -> Any:
    """A component tree as the plain JSON values Dash sends for it (dicts, lists, strings, numbers)."""
    return orjson.loads(to_json_plotly(tree))


def remembered(layout: Callable[..., Any]) -> Callable[..., Any]:
    """``layout(release, profile, /, **query)`` built once per release, language (the active one and whether the
    reader chose it: links carry a chosen one) and query, and kept on the release as plain JSON values.

    A page view then costs a lookup, and Dash serialises the answer in one ``orjson`` call instead of walking
    thousands of components (a page is 30-45 KB of JSON). A layout must depend on nothing else.
    """
    name = f"{layout.__module__}.{layout.__qualname__}"

    @functools.wraps(layout)
    def page(release: Release, profile: Any, /, **query: Any) -> Any:
        key = (name, i18n.current(), i18n.chosen(), tuple(sorted((k, repr(v)) for k, v in query.items())))
        return release.memo("pages", key, lambda: as_json(layout(release, profile, **query)), size=PAGE_MEMO_SIZE)

    return page


def with_release(layout: Callable[..., Any]) -> Callable[..., Any]:
    """Page layouts written as ``layout(release, profile, /, **query)`` (positional-only, so that a query
    parameter named like them lands in ``query``), served the release of the page view (built once per release,
    language and query: :func:`remembered`); with nothing published the page is the notice above. A newer
    release than the page view's adds :func:`reload_notice`.
    """
    page = requires_release(no_release)(remembered(layout))

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
