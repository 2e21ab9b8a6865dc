"""Overview page (policymakers): headline figures, trend, map, breakdowns, victim-perpetrator relation."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import views
from dashboard.i18n import gettext
from dashboard.profile import Profile
from dashboard.store import Release
from layouts import ids
from layouts.common import aria, graph, legend_note, source_note, stat_card, with_release


def finding_anchor(profile: Profile, key: str) -> str:
    """DOM id of the chart a finding about ``key`` links to (the map for a geography column)."""
    return ids.chart_anchor(ids.OVERVIEW_MAP if key in {g.source for g in profile.geography} else key)


def key_findings(release: Release, profile: Profile) -> html.Section:
    """The 3-5 key findings, each a sentence linking to the chart that shows it."""
    items = [
        dmc.ListItem(
            [
                f.text,
                " ",
                dmc.Anchor(
                    gettext("See the chart"),
                    href=f"#{finding_anchor(profile, f.chart)}",
                    size="sm",
                    **aria(label=gettext("See the chart: {chart}").format(chart=profile.label(f.chart))),
                ),
            ]
        )
        for f in views.key_findings(release)
    ]
    return html.Section(
        [
            dmc.Title(gettext("Key findings"), order=2, size="h4"),
            dmc.List(items, spacing="xs", size="sm"),
            dmc.Text(
                gettext("From the published differentially private counts only; ± is the 95% interval."),
                size="xs",
                c="dimmed",
            ),
        ],
        id=ids.OVERVIEW_FINDINGS,
        className="key-findings",
        **aria(label=gettext("Key findings")),
    )


def geo_choice(profile, geo: str | None) -> str | None:
    """The map's geography column: ``geo`` if the profile has it, else the first one."""
    sources = [g.source for g in profile.geography]
    return geo if geo in sources else (sources[0] if sources else None)


@with_release
def layout(release: Release, profile: Profile, /, geo: str | None = None, **_) -> html.Div:
    geo = geo_choice(profile, geo if isinstance(geo, str) else None)
    cards = dmc.SimpleGrid(
        [stat_card(h.title, h.value, h.note) for h in views.headlines(release)],
        cols={"base": 1, "sm": 2, "lg": 5},
        spacing="sm",
    )
    geo_control = dmc.SegmentedControl(
        id=ids.OVERVIEW_GEO,
        value=geo,
        size="xs",
        data=[{"value": g.source, "label": profile.label(g.source)} for g in profile.geography],
        style=None if len(profile.geography) > 1 else {"display": "none"},
    )
    breakdowns = [
        graph(
            {"type": ids.OVERVIEW_BREAKDOWN, "key": k},
            views.breakdown_figure(release, k),
            f"{release.release_id}-{k}",
            profile.label(k),
            anchor=ids.chart_anchor(k),
        )
        for k in profile.breakdowns
    ]
    return dmc.Container(
        [
            dcc.Location(id=ids.OVERVIEW_URL, refresh=False),
            dcc.Location(id=ids.OVERVIEW_NAV, refresh="callback-nav"),
            dmc.Title(gettext("Overview"), order=1, size="h2"),
            dmc.Text(
                gettext(
                    "What the published release of {title} says, in counts with honest uncertainty. "
                    "Click a bar or a country to explore it further."
                ).format(title=profile.title),
                c="dimmed",
            ),
            key_findings(release, profile),
            cards,
            legend_note(),
            dmc.Grid(
                [
                    dmc.GridCol(
                        graph(
                            ids.OVERVIEW_TREND,
                            views.trend_figure(release),
                            f"{release.release_id}-trend",
                            gettext("Records over time"),
                        ),
                        span={"base": 12, "md": 6},
                    ),
                    dmc.GridCol(
                        [
                            geo_control,
                            graph(
                                ids.OVERVIEW_MAP,
                                views.map_figure(release, geo),
                                f"{release.release_id}-map",
                                gettext("Map"),
                                anchor=ids.chart_anchor(ids.OVERVIEW_MAP),
                            ),
                        ],
                        span={"base": 12, "md": 6},
                        className="map-col",
                    ),
                ],
                gutter="md",
            ),
            dmc.Title(gettext("Breakdowns"), order=2, size="h4"),
            dmc.SimpleGrid(breakdowns, cols={"base": 1, "md": 2}, spacing="md"),
            dmc.Title(gettext("Victims and perpetrators"), order=2, size="h4"),
            graph(
                ids.OVERVIEW_RELATION,
                views.relationship_figure(release),
                f"{release.release_id}-relation",
                gettext("Victim-perpetrator relationship"),
            ),
            source_note(release),
            dmc.Group(
                [
                    dmc.Anchor(
                        gettext("Explore and cross-filter these data →"), href=dash.get_relative_path("/explore")
                    ),
                    dmc.Anchor(gettext("About this data and its limits →"), href=dash.get_relative_path("/about")),
                ]
            ),
        ],
        size="xl",
        className="page page-overview",
    )
