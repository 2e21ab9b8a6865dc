"""Every component id of the app, shared by layouts and callbacks so the two cannot drift."""

import re


def caption(graph_id: str) -> str:
    """Id of the caption (title) of the chart with id ``graph_id``."""
    return f"{graph_id}-title"


# shell
COPY_LINK = "copy-link"
COPY_LINK_STATUS = "copy-link-status"
COPY_LINK_TEXTS = "copy-link-texts"  # the copy-link messages in the page's language
NAV_BURGER = "nav-burger"
APP_SHELL = "app-shell"
SHELL_URL = "shell-url"
LANG_SWITCH = "lang-switch"
LANG_LINK = "lang-link"  # pattern: {"type": LANG_LINK, "lang": str}
RELOAD_NOTICE = "reload-notice"
RELEASE_ID = "release-id"  # store: the release id the page view was rendered with (see callbacks/common.py)

# overview
OVERVIEW_URL = "overview-url"
OVERVIEW_NAV = "overview-nav"
OVERVIEW_GEO = "overview-geo"
OVERVIEW_MAP = "overview-map"
OVERVIEW_TREND = "overview-trend"
OVERVIEW_RELATION = "overview-relation"
OVERVIEW_BREAKDOWN = "overview-breakdown"  # pattern: {"type": OVERVIEW_BREAKDOWN, "key": str}
OVERVIEW_FINDINGS = "overview-findings"
OVERVIEW_CHART_ANCHOR = "chart-"  # + a chart's profile key made id-safe: see chart_anchor
PAGE_SOURCE = "page-source"

# explore
EXPLORE_URL = "explore-url"
EXPLORE_COLUMNS = "explore-columns"
EXPLORE_GRID = "explore-grid"
EXPLORE_CHIPS = "explore-chips"
EXPLORE_CLEAR = "explore-clear"
EXPLORE_STATE = "explore-state"
EXPLORE_SUMMARY = "explore-summary"
EXPLORE_TO_DATA = "explore-to-data"
EXPLORE_CHART = "explore-chart"  # pattern: {"type": EXPLORE_CHART, "source": str}
EXPLORE_FILTER = "explore-filter"  # pattern: {"type": EXPLORE_FILTER, "source": str}
EXPLORE_CHIP = "explore-chip"  # pattern: {"type": EXPLORE_CHIP, "source": str}

# data
DATA_URL = "data-url"
DATA_TABS = "data-tabs"
DATA_GRID = "data-grid"
DATA_COUNT = "data-count"
DATA_STATE = "data-state"
DATA_EXPORT = "data-export"  # pattern: {"type": DATA_EXPORT, "table": str, "fmt": str}
AGG_COLUMNS = "agg-columns"
AGG_FILTERS = "agg-filters"
AGG_NOT_REPORTED = "agg-not-reported"
AGG_GRID = "agg-grid"
AGG_NOTE = "agg-note"

# about
ABOUT_CITATION = "about-citation"


def chart_anchor(key: str) -> str:
    """The DOM id of the Overview chart of a profile key (a key finding links to ``#`` + it)."""
    return OVERVIEW_CHART_ANCHOR + re.sub(r"[^A-Za-z0-9_-]", "-", key)
