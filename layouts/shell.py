"""The app shell: header (dataset, release, navigation to the registered pages, copy-link), page container, footer."""

from __future__ import annotations

from typing import Any

import dash
import dash_mantine_components as dmc
from dash import dcc, html

from dashboard import context, i18n
from dashboard.citation import citation_parts
from dashboard.i18n import gettext
from dashboard.urlstate import query_string
from layouts import ids
from layouts.common import aria, readable_date

INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""


def _nav_links() -> list:
    return [
        dmc.Anchor(
            i18n.translate(page["name"]),
            href=dash.get_relative_path(page["path"]) + query_string(),  # keeps a chosen language in the address
            className="nav-link",
            underline="never",
        )
        for page in sorted(dash.page_registry.values(), key=lambda page: page["order"])
    ]


def _language_switcher() -> html.Nav:
    """One link per language, each named in its own language; the current one marked ``aria-current``.

    The links reload the page with ``?lang=`` (the shell is rendered per load); a clientside callback keeps
    the rest of the current address in their ``href``.
    """
    active = i18n.current()
    return html.Nav(
        [
            html.A(
                code.upper(),
                id={"type": ids.LANG_LINK, "lang": code},
                href=f"?lang={code}",
                lang=code,
                hrefLang=code,
                title=name,
                className="lang-link" + (" active" if code == active else ""),
                **aria(label=name, **({"current": "true"} if code == active else {})),
            )
            for code, name in i18n.LANGUAGES.items()
        ],
        id=ids.LANG_SWITCH,
        className="lang-switch",
        **aria(label=gettext("Language")),
    )


def _header(current) -> dmc.AppShellHeader:
    """Burger (narrow screens only), dataset title and release, nav links (wide screens only), copy-link.

    The title and release line are clamped to one line each so the header keeps its height at any width;
    on narrow screens the nav links live in the collapsible navbar that the burger opens.
    """
    if current is None:
        title, version = gettext("Privacy-preserving data showcase"), gettext("no release")
    else:
        release, profile = current
        title, version = profile.title, release.release_id
    return dmc.AppShellHeader(
        dmc.Group(
            [
                html.A(gettext("Skip to content"), href="#main", className="skip-link"),
                dmc.Burger(
                    id=ids.NAV_BURGER,
                    opened=False,
                    hiddenFrom="sm",
                    size="sm",
                    **aria(label=gettext("Open navigation"), controls="nav-mobile", expanded="false"),
                ),
                dmc.Stack(
                    [
                        dmc.Text(title, fw=700, size="lg", id="dataset-title", truncate="end"),
                        dmc.Text(
                            gettext("Release {version}").format(version=version),
                            size="xs",
                            c="dimmed",
                            id="release-version",
                            truncate="end",
                        ),
                    ],
                    gap=0,
                    className="header-title",
                ),
                html.Nav(
                    dmc.Group(_nav_links(), gap="md", wrap="nowrap"),
                    className="nav-desktop",
                    **aria(label=gettext("Main")),
                ),
                dmc.Group(
                    [
                        _language_switcher(),
                        dmc.Button(
                            gettext("Copy link"),
                            id=ids.COPY_LINK,
                            size="xs",
                            variant="light",
                            n_clicks=0,
                            **aria(label=gettext("Copy a link to this exact view")),
                        ),
                        dcc.Store(
                            id=ids.COPY_LINK_TEXTS,
                            data={"copied": gettext("Link copied"), "copy": gettext("Copy this link:")},
                        ),
                        dmc.Text(
                            "", size="xs", id=ids.COPY_LINK_STATUS, className="copy-status", **aria(live="polite")
                        ),
                    ],
                    gap=4,
                    wrap="nowrap",
                    className="header-tools",
                ),
            ],
            justify="space-between",
            h="100%",
            px="md",
            gap="sm",
            wrap="nowrap",
        )
    )


def _navbar() -> dmc.AppShellNavbar:
    """The nav on narrow screens (below the ``sm`` breakpoint), opened by the burger."""
    return dmc.AppShellNavbar(
        html.Nav(dmc.Stack(_nav_links(), gap="sm"), id="nav-mobile", **aria(label=gettext("Main"))),
        p="md",
        hiddenFrom="sm",
    )


def _footer(current) -> html.Footer:
    text: str | list[Any]
    if current is None:
        text = gettext("No release published yet.")
    else:
        release, _ = current
        text = [
            gettext("Published {date}.").format(date=readable_date(release.metadata.created_at)) + " ",
            # original data and this release as lines of their own (CSS: display block)
            *(html.Span(part, className="footer-cite") for part in citation_parts(release)),
            dmc.Anchor(
                gettext("How to cite and release history"),
                href=dash.get_relative_path("/about") + query_string(),
                size="xs",
                underline="always",
            ),
            " · ",
            dmc.Anchor(gettext("API"), href=dash.get_relative_path("/api/v1/metadata"), size="xs", underline="always"),
        ]
    return html.Footer(dmc.Text(text, size="xs", c="dimmed", px="md", py=6), id="footer", className="site-footer")


#: Darker primary shade so links and light buttons meet WCAG AA contrast (4.5:1) on white.
THEME = {"primaryShade": {"light": 9, "dark": 9}}


def shell_layout() -> dmc.MantineProvider:
    """Evaluated on every page load, so header and footer follow a newly published release.

    The release shown is kept in the ``RELEASE_ID`` store: the page content and every callback of this page
    view use that release, even after a newer one is published (until the page is reloaded).
    """
    current = context.current()
    return dmc.MantineProvider(
        dmc.AppShell(
            [
                dcc.Location(id=ids.SHELL_URL, refresh=False),
                dcc.Store(id=ids.RELEASE_ID, data=None if current is None else current[0].release_id),
                _header(current),
                _navbar(),
                dmc.AppShellMain([html.Main(dash.page_container, id="main", **aria(live="polite")), _footer(current)]),
            ],
            header={"height": 64},
            navbar={"width": 240, "breakpoint": "sm", "collapsed": {"mobile": True, "desktop": True}},
            id=ids.APP_SHELL,
            padding="md",
        ),
        forceColorScheme="light",
        theme=THEME,
    )
