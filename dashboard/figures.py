"""Figure builders (plain plotly dicts: no validation cost) over query-engine frames.

Conventions: published DP aggregates in blue with their 95% interval as error bars; synthetic estimates
in orange (hatched where they stand in for a count longer than the reporting length); "not reported"
written as text where a count was suppressed, never drawn as a zero-length bar without a label. A count inside
its bar, or beyond its whisker when the bar is too short for it (:func:`beyond_whiskers`); count axes tick in
the reader's language (:func:`count_ticks`).
Every figure carries its source line in ``layout.meta.source`` and its title in ``layout.meta.title``, neither
drawn by plotly on the page (a plotly title cannot wrap and collides with legends on a phone): the page shows
the title as the chart's HTML caption and the source once per page; downloaded PNG/SVG images get both drawn
in (``assets/downloads.js``), so they keep their provenance.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from dashboard import i18n
from dashboard.findings import percent
from dashboard.i18n import N_, gettext, ngettext, translate
from dashboard.query import ESTIMATED, NOT_REPORTED, PUBLISHED

PUBLISHED_COLOR = "#0072B2"
ESTIMATE_COLOR = "#E69F00"
FONT = {"family": "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12}
NOT_REPORTED_TEXT = N_("not reported")
ESTIMATED_TEXT = N_("estimated from synthetic records")
#: The published bar of a combination longer than the reporting length (no DP count exists for it).
NOT_PUBLISHED_TEXT = N_("not published")

Labeler = Callable[[str], str]
#: Axis titles are broken at this many characters (plotly does not wrap them; centred on a phone's ~230 px
#: plot area, 48-character lines ran past the chart's right edge).
TITLE_WIDTH = 30
#: The count axis starts at zero; its ticks are :func:`count_ticks` (short: longer ones were turned on their side
#: in a phone-wide chart).
COUNT_AXIS = {"rangemode": "tozero", "automargin": True}
#: At most this many ticks on a count axis, zero included ("7,5 mil" and "10 mil" need ~50 px each on a phone).
COUNT_TICKS = 4
#: A bar's count or share is written inside it when the bar is at least this share of the axis (a phone's
#: ~230 px plot: 25 % is ~57 px, room for "20 016"), else beyond its whisker (:func:`beyond_whiskers`).
INSIDE_SHARE = 0.25
#: Explore's gap between values; of the two bars per value the published one is centred ``PUBLISHED_OFFSET``
#: above the value's position (each bar is half of the rest).
EXPLORE_BARGAP = 0.25
PUBLISHED_OFFSET = (1 - EXPLORE_BARGAP) / 4
#: Legend names are broken into lines of at most this many characters (a legend row does not wrap).
LEGEND_CHARS = 26
#: Category labels longer than this many characters go on two lines (a phone keeps width for the bars).
LABEL_CHARS = 18
#: A category label keeps at most this many lines; the rest is cut with "…" (its hover text has it whole): a
#: third line ran into the neighbouring bars' labels ("Congo, The Democratic Republic of the").
LABEL_LINES = 2


def _fmt(x: float) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else i18n.format_decimal(x)


def count_ticks(top: float, most: int = COUNT_TICKS) -> dict:
    """``tickvals`` and ``ticktext`` of a count axis from 0 to ``top``: at most ``most`` ticks up to ``top`` at a
    round whole step (1, 2 or 5 times a power of ten) and one beyond it (plotly shows it only if the axis reaches
    it), written short as the language abbreviates numbers (``i18n.format_compact``: "5K", "5 mil", "5 k";
    plotly's own "5k" is English whatever the language)."""
    top = max(float(np.nan_to_num(top)), 1.0)
    power = 10 ** max(math.floor(math.log10(top / most)), 0)
    step = next(m * power * 10**k for k in (0, 1) for m in (1, 2, 5) if top // (m * power * 10**k) + 1 <= most)
    values = [step * i for i in range(int(top // step) + 2)]
    return {"tickvals": values, "ticktext": [i18n.format_compact(v) for v in values]}


def wrap(text: str, width: int = 95) -> str:
    """Break a long line at spaces with <br> (plotly annotations do not wrap)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "<br>".join(lines + [line])


def category_labels(texts: list[str]) -> list[str]:
    """Axis labels of ``texts``: lines of :data:`LABEL_CHARS`, at most :data:`LABEL_LINES` of them, the last one
    cut at a space with "…" when more text follows. A label the cut would make equal to another keeps all its
    lines (each category must stay distinct)."""
    full = [wrap(text, LABEL_CHARS) for text in texts]
    cut = []
    for label in full:
        lines = label.split("<br>")
        if len(lines) > LABEL_LINES:
            rest = " ".join(lines[LABEL_LINES - 1 :])[: LABEL_CHARS - 1]
            last = rest.rsplit(" ", 1)[0] if " " in rest else rest
            lines = [*lines[: LABEL_LINES - 1], last.rstrip(" ,;") + "…"]
        cut.append("<br>".join(lines))
    seen = Counter(cut)
    return [c if seen[c] == 1 else f for c, f in zip(cut, full, strict=True)]


def title_of(figure: dict) -> str:
    """A figure's title (shown as its caption), "" if it has none."""
    return str(figure.get("layout", {}).get("meta", {}).get("title", ""))


def _base_layout(title: str, source: str, height: int) -> dict:
    """Common layout. Title and source line ride in ``meta`` (the page shows the title as the chart's caption
    and the source once); the PNG/SVG download buttons (``assets/downloads.js``) draw both into the image."""
    return {
        "meta": {"title": title, "source": wrap(source)},
        "font": FONT,
        "separators": i18n.separators(),
        "height": height,
        "template": "plotly_white",
        "margin": {"l": 10, "r": 20, "t": 16, "b": 40},
        "annotations": [],
        # above the plot, left-aligned: on a phone it wraps to a second row within the top margin; no title
        # or toolbar shares that space
        "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "hoverlabel": {"font": {"size": 12}},
        "uniformtext": {"minsize": 10, "mode": "show"},  # bar labels stay legible on thin bars
    }


def _interval_text(status: str, published: float, low: float, high: float) -> str:
    if status == PUBLISHED:
        return gettext("{count} (95% interval {low}–{high})").format(
            count=_fmt(published), low=_fmt(low), high=_fmt(high)
        )
    if status == NOT_REPORTED:
        return gettext("not reported (suppressed by differential privacy)")
    return gettext("not published (combination longer than the reporting length)")


def _interval_hover(row) -> str:
    return _interval_text(row["status"], row["published"], row["low"], row["high"])


def _links(frame) -> list:
    """What a click on a bar or area selects: the ``link`` column (``source:value``) if any, else the value."""
    return list(frame["link"] if "link" in frame else frame["value"])


def _arrays(frame, names: tuple[str, ...]) -> list[np.ndarray]:
    """Columns of a DataFrame or a dict of arrays, as numpy arrays."""
    return [np.asarray(frame[n]) for n in names]


def comparison_bars(frame, title: str, label: Labeler, source: str) -> dict:
    """Explore chart: per value, synthetic estimate vs published aggregate side by side (horizontal).

    ``frame`` is a DataFrame or a dict of equal-length arrays with the query engine's columns. Numeric
    arrays stay numpy arrays: Dash's JSON encoder (orjson) takes them without a per-element walk.
    """
    value, est, pub, low, high, status, selected = (
        a[::-1] for a in _arrays(frame, ("value", "estimated", "published", "low", "high", "status", "selected"))
    )
    names = [label(v) for v in value]  # whole, for the hover text
    labels = category_labels(names)
    values = value.tolist()
    chosen = np.flatnonzero(selected).tolist()
    pub_text = [
        _fmt(p) if s == PUBLISHED else translate(NOT_REPORTED_TEXT if s == NOT_REPORTED else NOT_PUBLISHED_TEXT)
        for p, s in zip(pub, status, strict=False)
    ]
    top = max(np.max(est, initial=0), np.nanmax(high, initial=0))
    # a count too long for its bar is written beyond the bar's whisker (plotly would draw it over the whisker)
    short = _short(pub, top, status == PUBLISHED)
    hover_pub = [
        f"{lab}<br>" + gettext("Published: {count}").format(count=_interval_text(s, p, lo, hi))
        for lab, s, p, lo, hi in zip(names, status, pub, low, high, strict=False)
    ]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": gettext("Synthetic estimate"),
            "y": labels,
            "x": est,
            "customdata": values,
            "text": [_fmt(e) + "*" for e in est],  # hatched and starred, as the legend note says
            "textposition": "outside",
            "cliponaxis": False,
            "hovertext": [
                f"{lab}<br>" + gettext("Synthetic estimate: {count} records").format(count=_fmt(e))
                for lab, e in zip(names, est, strict=True)
            ],
            "hoverinfo": "text",
            "marker": {"color": ESTIMATE_COLOR, "pattern": {"shape": "/"}},
        },
        {
            "type": "bar",
            "orientation": "h",
            # two lines: a phone's legend row cut "(intervalo de 95%)" off at the right edge
            "name": wrap(gettext("Published DP aggregate (95% interval)"), LEGEND_CHARS),
            "y": labels,
            "x": np.nan_to_num(pub),
            "customdata": values,
            "text": ["" if sh else t for t, sh in zip(pub_text, short, strict=True)],
            # a count inside its bar; "not reported" beside its empty bar, dark, never turned on its side
            "textposition": ["inside" if s == PUBLISHED else "outside" for s in status],
            "textangle": 0,
            "insidetextanchor": "middle",
            "textfont": {"color": ["#fff" if s == PUBLISHED else "#333" for s in status]},
            "outsidetextfont": {"color": "#333"},
            "cliponaxis": False,
            "hovertext": hover_pub,
            "hoverinfo": "text",
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(high - pub),
                "arrayminus": np.nan_to_num(pub - low),
                "color": "#333",
                "thickness": 1,
                "width": 3,
            },
            "marker": {"color": PUBLISHED_COLOR},
        },
    ]
    if chosen:  # SDS: once a column has a selection, its other bars are greyed out
        for trace in traces:
            trace.update({"selectedpoints": chosen, "unselected": {"marker": {"opacity": 0.3}}})
        # greyed bars keep legible counts: dark text (white on a faded blue is unreadable); set per bar, since
        # plotly's unselected.textfont does not override a per-bar textfont colour
        traces[1]["textfont"]["color"] = [
            "#fff" if s == PUBLISHED and sel else "#333" for s, sel in zip(status, selected, strict=False)
        ]
        traces[1]["marker"]["line"] = {"color": ["#000" if s else "rgba(0,0,0,0)" for s in selected], "width": 2}
    layout = _base_layout(title, source, max(240, 110 + 38 * len(labels)))  # bars of ~15 px under a 3-row legend
    layout.update(
        {
            "barmode": "group",
            "bargap": EXPLORE_BARGAP,
            "clickmode": "event",
            "xaxis": {**COUNT_AXIS, **count_ticks(top)},
            "yaxis": {"automargin": True, "type": "category"},
            "margin": {"l": 10, "r": 60, "t": 72, "b": 40},  # t: room for the legend's rows (three on a phone)
        }
    )
    layout["annotations"] += beyond_whiskers(
        short, np.arange(len(labels)) + PUBLISHED_OFFSET, np.fmax(high, pub), pub_text
    )
    return {"data": traces, "layout": layout}


def beyond_whiskers(short, positions, ends, texts, horizontal: bool = True) -> list[dict]:
    """The labels of the bars marked ``short`` (too short to hold their label) as annotations just beyond the
    end of each bar's whisker (``ends``: the bar plus its upper error), at the bar's position on the category
    axis (``positions``: a category's serial number, plus an offset inside a group); plotly's own outside text
    started at the bar's end, under the whisker."""
    place = {"xanchor": "left", "xshift": 3} if horizontal else {"yanchor": "bottom", "yshift": 2}
    return [
        {
            "x": float(ends[i]) if horizontal else float(positions[i]),
            "y": float(positions[i]) if horizontal else float(ends[i]),
            "xref": "x",
            "yref": "y",
            "text": texts[i],
            "showarrow": False,
            "font": {"color": "#333"},
            **place,
        }
        for i in np.flatnonzero(short)
    ]


def _short(length, top: float, labelled) -> np.ndarray:
    """Which labelled bars are too short to hold their label (under :data:`INSIDE_SHARE` of the axis)."""
    return np.asarray(labelled, dtype=bool) & (np.nan_to_num(np.asarray(length, dtype=float)) < INSIDE_SHARE * top)


#: An error-bar length plotly draws nothing for (not even a cap): it reads lengths with JavaScript's unary
#: ``+``, which turns JSON's null (what NaN is sent as) into 0 but the string "NaN" into NaN.
NO_WHISKER = "NaN"


def _no_nan(values) -> list:
    """Error-bar lengths with no whisker where there is no published count (NaN -> :data:`NO_WHISKER`)."""
    return [NO_WHISKER if v is None or math.isnan(v) else float(v) for v in values]


_PERIOD = re.compile(r"^(\d{4})(?:\s*-{1,2}\s*(\d{4}))?$")


def period_spans(values) -> list[tuple[int, int]] | None:
    """(first, last) year of every period label (``2019``, ``2005-2013``), or None unless every label is one."""
    spans = []
    for value in values:
        match = _PERIOD.match(str(value))
        if match is None:
            return None
        first = int(match[1])
        spans.append((first, int(match[2] or first)))
    return spans


def shown_bars(
    frame: pd.DataFrame,
    title: str,
    label: Labeler,
    source: str,
    horizontal: bool = False,
    spans: list[tuple[int, int]] | None = None,
) -> dict:
    """Overview chart: the count to show per value (published with interval, else marked estimate).

    With ``spans`` (vertical only: the years each value covers), a bar is as wide as its period and as high as
    its yearly average, so a 9-year band is not drawn like one year; its label gives the period's total. When
    every period is one year, the axis is a plain year axis: plotly picks a tick step that fits the width
    (2005, 2010, ... on a phone) instead of crowding a turned label under every bar.
    """
    names = [label(v) for v in frame["value"]]  # whole, for the hover text
    labels = category_labels(names)
    status = frame["status"].to_numpy()
    years = np.array([last - first + 1 for first, last in spans], dtype=float) if spans else np.ones(len(frame))
    unequal = bool((years > 1).any())
    y = (frame["shown"].fillna(0).to_numpy(float) / years).tolist()
    text = [
        translate(NOT_REPORTED_TEXT)
        if s == NOT_REPORTED
        else (
            _fmt(v)
            + ("*" if s == ESTIMATED else "")
            + (" " + ngettext("in {n} year", "in {n} years", int(w)).format(n=int(w)) if w > 1 else "")
        )
        for v, s, w in zip(frame["shown"], status, years, strict=True)
    ]
    hover = [
        f"{lab}<br>"
        + (_interval_hover(r) if r["status"] != ESTIMATED else f"{_fmt(r['estimated'])} ({translate(ESTIMATED_TEXT)})")
        for lab, (_, r) in zip(names, frame.iterrows(), strict=False)
    ]
    upper = (frame["high"] - frame["published"]).to_numpy(float) / years
    err = {
        "type": "data",
        "symmetric": False,
        "array": _no_nan(upper),
        "arrayminus": _no_nan((frame["published"] - frame["low"]).to_numpy(float) / years),
        "color": "#333",
        "thickness": 1,
    }
    ends = np.asarray(y) + np.nan_to_num(upper)
    short = _short(y, ends.max(initial=0), status != NOT_REPORTED)  # labelled beyond the whisker instead
    # inside the bar (a vertical one: "auto", turned into a narrow bar, beside it if even that does not fit);
    # "not reported" beside its empty bar (dark there: white only reads on the bar)
    position = ["outside" if s == NOT_REPORTED else "inside" if horizontal else "auto" for s in status]
    bar = {
        "type": "bar",
        "name": "count",
        "text": ["" if sh else t for t, sh in zip(text, short, strict=True)],
        "textposition": position,
        "cliponaxis": False,
        "insidetextanchor": "start",
        "textfont": {"color": ["#333" if s == NOT_REPORTED else "#fff" for s in status]},
        "outsidetextfont": {"color": "#333"},
        "hovertext": hover,
        "hoverinfo": "text",
        "customdata": _links(frame),
        "marker": {
            "color": [ESTIMATE_COLOR if s == ESTIMATED else PUBLISHED_COLOR for s in status],
            "pattern": {"shape": ["/" if s == ESTIMATED else "" for s in status]},
        },
        "showlegend": False,
    }
    positions = np.arange(len(labels), dtype=float)
    if horizontal:  # a label that does not fit in its bar goes beyond its whisker, never turned on its side
        bar.update({"orientation": "h", "x": y, "y": labels, "error_x": err, "textangle": 0})
    elif spans:
        positions = np.array([(first + last) / 2 for first, last in spans])
        bar.update({"x": positions.tolist(), "y": y, "error_y": err, **({"width": years.tolist()} if unequal else {})})
    else:
        bar.update({"x": labels, "y": y, "error_y": err})
    layout = _base_layout(title, source, max(260, 90 + 30 * len(labels)) if horizontal else 320)
    layout["annotations"] += beyond_whiskers(short, positions, ends, text, horizontal)
    axis_counts = {**COUNT_AXIS, **count_ticks(ends.max(initial=0))}
    axis_cat = {"automargin": True, "type": "category", **({"autorange": "reversed"} if horizontal else {})}
    if spans and not horizontal and unequal:  # ticks at the periods, labelled as the data names them
        # upright labels: a one-year period is ~15 px wide on a phone, too narrow for "2019" across, and a
        # tilted last label ("2021-2022") reached past the chart, where plotly hides it
        axis_cat = {
            "automargin": True,
            "tickvals": [(a + b) / 2 for a, b in spans],
            "ticktext": labels,
            "tickangle": -90,
            "ticklabeloverflow": "allow",
        }
        axis_counts["title"] = {"text": gettext("per year")}  # a period's bar: its yearly average
    elif spans and not horizontal:
        axis_cat = {"automargin": True, "tickformat": "d"}
    layout.update(
        {"xaxis": axis_counts, "yaxis": axis_cat} if horizontal else {"xaxis": axis_cat, "yaxis": axis_counts}
    )
    if (status == ESTIMATED).any():
        layout["annotations"].append(
            {
                "text": gettext("* hatched: {what}").format(what=translate(ESTIMATED_TEXT)),
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 1.0,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 10, "color": "#8a5a00"},
            }
        )
        layout["margin"]["t"] = 32
    return {"data": [bar], "layout": layout}


NOT_RECORDED_COLOR = "#8c8c8c"


def share_bars(
    frame: pd.DataFrame,
    title: str,
    label: Labeler,
    source: str,
    axis_title: str,
    gap: tuple[str, float, float, float],
) -> dict:
    """Overview chart of a single-value column: each value's share of the people with a recorded value.

    ``frame`` has the query engine's columns plus ``share`` and ``half`` (fractions, NaN when not reported);
    ``gap`` = (label, count, 95 % half-width, denominator K) of the people with no published value: a grey
    hatched bar drawn to the same scale (count/K), labelled with its count as an estimate, never as a share.
    """
    gap_label, gap_count, gap_half, total = gap
    status = frame["status"].to_numpy()
    labels = [label(v) for v in frame["value"]] + [gap_label]
    shares = frame["share"].to_numpy(float)
    halves = np.nan_to_num(frame["half"].to_numpy(float))
    x = [*np.nan_to_num(100 * shares).tolist(), 100 * gap_count / total]
    not_reported = translate(NOT_REPORTED_TEXT)
    text = [not_reported if s != PUBLISHED else percent(v) for v, s in zip(shares, status, strict=True)] + [
        gettext("{count} (estimate ±{half})").format(count=_fmt(gap_count), half=_fmt(gap_half))
    ]
    hover = [
        f"{lab}<br>"
        + gettext("{share} (±{half}) of {total}").format(
            share=i18n.format_percent(v, 1), half=i18n.format_percent(h, 1), total=_fmt(total)
        )
        + "<br>"
        + gettext("Count: {count}").format(count=_interval_hover(r))
        if r["status"] == PUBLISHED
        else f"{lab}<br>{_interval_hover(r)}"
        for lab, v, h, (_, r) in zip(labels, shares, halves, frame.iterrows(), strict=False)
    ] + [
        gettext(
            "{label}: about {count} people (95% interval ±{half}), estimated as the DP<br>record count minus the "
            "published counts (it includes any value too rare to be published);<br>drawn to the same scale, not "
            "part of the shares"
        ).format(label=gap_label, count=_fmt(gap_count), half=_fmt(gap_half))
    ]
    known = status == PUBLISHED
    ends = np.array(x) + np.append(100 * halves, 0.0)
    short = _short(x, ends.max(initial=0), [*known, False])  # labelled beyond the whisker instead
    bar = {
        "type": "bar",
        "orientation": "h",
        "name": "share",
        "x": x,
        "y": labels,
        "text": ["" if sh else t for t, sh in zip(text, short, strict=True)],
        # a share inside its bar; "not reported" and the grey bar's estimate beside theirs (no whisker there),
        # dark, never turned on its side
        "textposition": [*("inside" if k else "outside" for k in known), "outside"],
        "textangle": 0,
        "insidetextanchor": "start",
        "cliponaxis": False,
        "textfont": {"color": [*("#fff" if k else "#333" for k in known), "#333"]},
        "outsidetextfont": {"color": "#333"},
        "hovertext": hover,
        "hoverinfo": "text",
        "customdata": [*_links(frame), None],
        "error_x": {
            "type": "data",
            "array": _no_nan([*np.where(known, 100 * halves, np.nan), np.nan]),  # no cap beside a label
            "color": "#333",
            "thickness": 1,
        },
        "marker": {
            "color": [*(PUBLISHED_COLOR for _ in known), NOT_RECORDED_COLOR],
            "pattern": {"shape": [*("" for _ in known), "."]},
        },
        "showlegend": False,
    }
    layout = _base_layout(title, source, max(260, 100 + 30 * len(labels)))
    layout["annotations"] += beyond_whiskers(short, np.arange(len(labels)), ends, text)
    layout.update(
        {
            "xaxis": {
                "rangemode": "tozero",
                "automargin": True,
                "title": {"text": wrap(axis_title, TITLE_WIDTH)},
                "ticksuffix": i18n.percent_suffix(),
            },
            "yaxis": {"automargin": True, "type": "category", "autorange": "reversed"},
        }
    )
    return {"data": [bar], "layout": layout}


def _hover_rows(frame: pd.DataFrame, names: list[str]) -> list[str]:
    return [
        f"<b>{n}</b><br>"
        + (_interval_hover(r) if r["status"] != ESTIMATED else f"{_fmt(r['estimated'])} ({translate(ESTIMATED_TEXT)})")
        for n, (_, r) in zip(names, frame.iterrows(), strict=False)
    ]


def country_map(frame: pd.DataFrame, title: str, label: Labeler, source: str) -> dict:
    """Choropleth by ISO3 code of the shown counts; not-reported countries are listed in the hover text."""
    shown = frame[frame["status"] != NOT_REPORTED]
    names = [label(v) for v in shown["value"]]
    trace = {
        "type": "choropleth",
        "locationmode": "ISO-3",
        "locations": shown["value"].tolist(),
        "z": shown["shown"].tolist(),
        "colorscale": "Viridis",
        "reversescale": True,
        "hovertext": _hover_rows(shown, names),
        "hoverinfo": "text",
        "customdata": _links(shown),
        "marker": {"line": {"color": "#fff", "width": 0.5}},
        # a short horizontal scale above the map: on a phone a vertical one took a quarter of the map's width
        "colorbar": {
            "title": {"text": gettext("records"), "side": "right"},
            "orientation": "h",
            "thickness": 8,
            "len": 0.5,
            "tickangle": 0,
            **count_ticks(shown["shown"].max() if len(shown) else 0),
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "bottom",
        },
    }
    layout = _map_layout(title, source, showcoastlines=False)
    layout["margin"]["t"] = 40  # room for the scale
    return {"data": [trace], "layout": layout}


def _map_layout(title: str, source: str, **geo: bool) -> dict:
    """Layout of a world map (natural earth, light land, grey borders); ``geo`` adds or overrides options."""
    layout = _base_layout(title, source, 420)
    layout["geo"] = {
        "showframe": False,
        "projection": {"type": "natural earth"},
        "showland": True,
        "landcolor": "#f2f2f2",
        "showcountries": True,
        "countrycolor": "#ddd",
        "resolution": 110,
        **geo,
    }
    layout["margin"] = {"l": 0, "r": 0, "t": 8, "b": 40}
    return layout


def _inward(lons: list[float]) -> list[str]:
    """Bubble label positions: the map is fitted to the bubbles, so the westernmost and easternmost sit at its
    edges, where a centred label was cut off ("ricas/Oceania"); theirs point into the map."""
    if len(lons) < 2:
        return ["middle center"] * len(lons)
    west, east = min(lons), max(lons)
    return ["middle right" if x == west else "middle left" if x == east else "middle center" for x in lons]


def region_map(
    frame: pd.DataFrame, title: str, label: Labeler, source: str, centroids: dict[str, tuple[float, float]]
) -> dict:
    """Bubble map for region-level geography (one bubble per region with a known centroid)."""
    shown = frame[(frame["status"] != NOT_REPORTED) & frame["value"].isin(list(centroids))]
    size = shown["shown"].to_numpy(dtype=float)
    scale = 60.0 / math.sqrt(size.max()) if size.size and size.max() > 0 else 1.0
    names = [label(v) for v in shown["value"]]
    lons = [centroids[v][1] for v in shown["value"]]
    trace = {
        "type": "scattergeo",
        "mode": "markers+text",
        "lat": [centroids[v][0] for v in shown["value"]],
        "lon": lons,
        "text": [f"{n}<br>{_fmt(c)}" for n, c in zip(names, size, strict=False)],
        "textposition": _inward(lons),
        "hovertext": _hover_rows(shown, names),
        "hoverinfo": "text",
        "customdata": _links(shown),
        "marker": {
            "size": (np.sqrt(size) * scale).tolist(),
            "color": PUBLISHED_COLOR,
            "opacity": 0.6,
            "line": {"color": "#fff", "width": 1},
        },
    }
    return {"data": [trace], "layout": _map_layout(title, source)}


def heatmap(
    frame: pd.DataFrame, rows: str, cols: str, title: str, row_label: Labeler, col_label: Labeler, source: str
) -> dict:
    """Two-way table as a heatmap; suppressed cells are blank and labelled "n.r." (not reported)."""
    row_vals = list(dict.fromkeys(frame[rows]))
    col_vals = list(dict.fromkeys(frame[cols]))
    z = frame["shown"].to_numpy(dtype=float).reshape(len(row_vals), len(col_vals))
    status = frame["status"].to_numpy().reshape(len(row_vals), len(col_vals))
    text = [
        [
            (gettext("n.r.") if s == NOT_REPORTED else _fmt(v) + ("*" if s == ESTIMATED else ""))
            for v, s in zip(zr, sr, strict=True)
        ]
        for zr, sr in zip(z, status, strict=False)
    ]
    z_json = [[None if math.isnan(v) else v for v in zr] for zr in z]
    names = [row_label(r) for r in row_vals]  # whole, for the hover text
    xs, ys = [col_label(c) for c in col_vals], category_labels(names)
    trace = {
        "type": "heatmap",
        "z": z_json,
        "x": xs,
        "y": ys,
        "text": text,
        "customdata": [[name] * len(xs) for name in names],
        # cell labels drawn by plotly, sized to fit the cell and coloured for contrast at every width
        # (fixed-size annotations overlapped in narrow cells on a phone)
        "texttemplate": "%{text}",
        "colorscale": "Blues",
        "reversescale": True,
        "hoverongaps": False,
        "hovertemplate": "%{customdata} × %{x}<br>%{text}<extra></extra>",
        "showscale": False,  # every cell is labelled: a colour bar would only take width from the cells
    }
    layout = _base_layout(title, source, max(300, 130 + 40 * len(row_vals)))
    layout["annotations"] += [  # plotly draws no text in an empty (suppressed) cell: "n.r." written over it
        {"x": x, "y": y, "text": "n.r.", "showarrow": False, "xref": "x", "yref": "y", "font": {"size": 10}}
        for y, sr in zip(ys, status, strict=True)
        for x, s in zip(xs, sr, strict=True)
        if s == NOT_REPORTED
    ]
    layout["plot_bgcolor"] = "#f4f4f4"
    layout.update(
        {
            # column labels on top, as in a table: turned upright in narrow columns, they grow into the top
            # margin instead of into the source line below the chart
            "xaxis": {"automargin": True, "type": "category", "side": "top"},
            "yaxis": {"automargin": True, "type": "category", "autorange": "reversed"},
        }
    )
    return {"data": [trace], "layout": layout}


def metric_bars(frame: pd.DataFrame, x: str, y: str, title: str, source: str) -> dict:
    """A plain bar chart of one evaluation metric (About page)."""
    layout = _base_layout(title, source, 280)
    # automargin: the axis title and tick labels ("0.8") get room instead of being cut at the left edge
    layout.update(
        {
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {"title": {"text": y.replace("_", " ")}, "automargin": True},
        }
    )
    return {
        "data": [
            {
                "type": "bar",
                "x": frame[x].astype(str).tolist(),
                "y": frame[y].tolist(),
                "marker": {"color": PUBLISHED_COLOR},
                "name": y,
            }
        ],
        "layout": layout,
    }


def empty_figure(message: str) -> dict:
    """A blank figure carrying a message (used when a chart has nothing to show)."""
    return {
        "data": [],
        "layout": {
            "template": "plotly_white",
            "height": 200,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": message, "showarrow": False, "font": {"size": 13}}],
        },
    }
