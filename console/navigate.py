"""Navigate preview of a run: the public dashboard's Explore view on the run's staged release.

Reuses the dashboard's generic pure modules (release loading, queries, view models and figures) on a release
folder of the private workspace; the public app never imports this module nor reads that folder.
"""

from __future__ import annotations

import functools
from pathlib import Path

from dash import dcc, html
from flask import Flask

from dashboard import query as q
from dashboard import views as dashboard_views
from dashboard.cache import cache
from dashboard.context import profile_of
from dashboard.figures import title_of
from dashboard.store import Release, load_release

#: Staged releases kept loaded (a run's release folder never changes once staged).
LOADED = 4
MAX_COLUMNS = 8


def init_view_cache(server: Flask) -> None:
    """The dashboard's view-model cache, in process memory for the console (its views are cached per release id)."""
    cache.init_app(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 500})


@functools.lru_cache(maxsize=LOADED)
def _load(folder: str) -> Release:
    return load_release(Path(folder))


def staged(folder: Path) -> Release:
    """The staged release in ``folder``, loaded (checksums verified) and kept for the next calls."""
    return _load(str(Path(folder).resolve()))


def column_options(release: Release) -> list[dict]:
    """Every chartable column of the release, labelled as the public dashboard labels it."""
    profile = profile_of(release)
    return [{"label": profile.label(key), "value": key} for key in release.dimensions]


def default_columns(release: Release) -> list[str]:
    """The columns the public Explore page shows first."""
    return list(profile_of(release).explore)


def filter_options(release: Release) -> list[dict]:
    """Every ``source:value`` a preview can filter on."""
    profile = profile_of(release)
    return [
        {"label": f"{profile.label(key)}: {profile.value_label(key, value)}", "value": f"{key}:{value}"}
        for key, dim in release.dimensions.items()
        for value in dim.values
    ]


def explore_view(release: Release, columns: list[str] | None, filters: list[str] | None) -> html.Div:
    """The Explore charts (estimate vs published, per chosen column, each captioned with its title as on the
    public Explore page) and the selection summary of the run."""
    selections = q.parse_selection_strings(release, filters or [])
    shown = tuple(c for c in dict.fromkeys(columns or default_columns(release)) if c in release.dimensions)
    figures = [dashboard_views.explore_figure(release, c, selections) for c in shown[:MAX_COLUMNS]]
    return html.Div(
        [
            html.P(dashboard_views.selection_summary(release, selections), className="c-headline"),
            html.Div(
                [
                    html.Figure(
                        [
                            html.Figcaption(title_of(figure), className="c-caption"),
                            dcc.Graph(figure=figure, config={"displayModeBar": False}),
                        ],
                        className="c-figure",
                    )
                    for figure in figures
                ],
                className="c-charts",
            ),
        ]
    )
