"""View models: the figures and figures' numbers of each page, cached by release id and state.

Every builder goes through :func:`dashboard.cache.cached_view` (the configurable flask-caching backend).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import figures as fig
from dashboard import findings
from dashboard import query as q
from dashboard.cache import cached_view
from dashboard.citation import source_line
from dashboard.context import profile_of
from dashboard.i18n import format_decimal, gettext, ngettext
from dashboard.store import Release
from synth.stats import Z95


def chart_frame(release: Release, key: str, selections: q.Selections):
    """Bars of a source column or of a profile group, with ``link`` = the ``source:value`` a click selects."""
    profile = profile_of(release)
    if key in profile.groups:
        frame = q.member_bars(release, profile.groups[key].members, selections)
        frame["link"] = frame["source"] + ":" + frame["source_value"]
        return frame
    frame = q.bars(release, key, selections)
    frame["link"] = key + ":" + frame["value"]
    return frame


def _labeler(release: Release, key: str):
    profile = profile_of(release)
    if key in profile.groups:
        return lambda v: v
    return lambda v: profile.value_label(key, v)


def _unit(release: Release) -> str:
    """Who a count counts, capitalised for a title ("Victims")."""
    unit = profile_of(release).unit
    return unit[:1].upper() + unit[1:]


def by(unit: str, what: str) -> str:
    """A chart title: who is counted by what ("Victims by gender")."""
    return gettext("{unit} by {what}").format(unit=unit, what=what)


def overlapping(release: Release, key: str) -> bool:
    """The chart's counts overlap (a group of flags or a multi-value column): shares are of all n' people."""
    return key in profile_of(release).groups or release.dimensions[key].multi_value


def record_count_sd(release: Release) -> float:
    return findings.record_count_sd(float(release.privacy.budget_split.get("epsilon_number_of_records", 0.0)))


@cached_view
def breakdown_figure(release: Release, key: str, selections: q.Selections = ()) -> dict:
    """A breakdown: shares of the people with a recorded value plus a "not recorded" bar (single-value
    column), or counts (overlapping flags and multi-value columns, where a person can have several values)."""
    profile = profile_of(release)
    frame = chart_frame(release, key, selections)
    what = profile.term(key)
    if not overlapping(release, key) and not selections and (frame["status"] == q.PUBLISHED).any():
        n, n_sd = release.protected_records, record_count_sd(release)
        gap, gap_sd = findings.not_recorded(frame["published"], frame["sd"], n, n_sd)
        if (frame["status"] == q.NOT_REPORTED).any():  # suppressed people hide in the gap: shares of all n'
            shares, halves = findings.shares_of_all(frame["published"], frame["sd"], n, n_sd)
            total, gap_label = float(n), gettext("not recorded or suppressed")
            of = gettext("% of all {n} {unit}").format(n=format_decimal(n), unit=profile.unit)
        else:
            shares, halves, total = findings.shares_of_known(frame["published"], frame["sd"])
            gap_label = gettext("not recorded")
            of = gettext("% of the {n} {unit} with a recorded {what}").format(
                n=format_decimal(total), unit=profile.unit, what=what
            )
        return fig.share_bars(
            frame.assign(share=shares, half=halves),
            by(_unit(release), what),
            _labeler(release, key),
            source_line(release),
            of,
            (gap_label, gap, Z95 * gap_sd, total),
        )
    horizontal = len(frame) > 6 or frame["value"].map(lambda v: len(str(v))).max() > 14
    title = by(_unit(release), what) + (" " + gettext("(one can have several)") if overlapping(release, key) else "")
    return fig.shown_bars(frame, title, _labeler(release, key), source_line(release), horizontal)


@cached_view
def trend_figure(release: Release) -> dict:
    profile = profile_of(release)
    if profile.time is None:
        return fig.empty_figure(gettext("This dataset has no time column."))
    frame = chart_frame(release, profile.time, ())
    spans = fig.period_spans(frame["value"])
    title = trend_title(
        _unit(release), profile.term(profile.time), frame["value"].tolist(), _labeler(release, profile.time)
    )
    # Years are drawn on a year axis, unequal periods to scale; other periods as categories.
    return fig.shown_bars(frame, title, _labeler(release, profile.time), source_line(release), spans=spans)


def trend_title(unit: str, term: str, values: list[str], value_label: fig.Labeler) -> str:
    """``Victims by year of registration; 2005-2013 is one period`` (the bars: yearly averages, axis title)."""
    spans = fig.period_spans(values) or []
    bands = [value_label(v) for v, (first, last) in zip(values, spans, strict=True) if last > first]
    title = by(unit, term)
    if not bands:
        return title
    periods = ngettext("{bands} is one period", "{bands} are periods", len(bands)).format(bands=", ".join(bands))
    return gettext("{title}; {periods}").format(title=title, periods=periods)  # French: "{title} ; {periods}"


@cached_view
def map_figure(release: Release, geo: str | None) -> dict:
    profile = profile_of(release)
    geos = {g.source: g for g in profile.geography}
    if not geos:
        return fig.empty_figure(gettext("This dataset has no geography column."))
    g = (geos.get(geo) if geo is not None else None) or profile.geography[0]
    frame = chart_frame(release, g.source, ())
    title = by(_unit(release), profile.term(g.source))
    if g.kind == "iso3":
        return fig.country_map(frame, title, _labeler(release, g.source), source_line(release))
    return fig.region_map(frame, title, _labeler(release, g.source), source_line(release), profile.region_centroids)


@cached_view
def relationship_figure(release: Release) -> dict:
    profile = profile_of(release)
    if profile.relationship is None:
        return fig.empty_figure(gettext("No relationship chart for this dataset."))
    rows, cols = profile.relationship
    frame = q.crosstab(release, [rows, cols], ())
    return fig.heatmap(
        frame,
        rows,
        cols,
        gettext("{unit} by {what} and {other}").format(
            unit=_unit(release), what=profile.term(rows), other=profile.term(cols)
        ),
        _labeler(release, rows),
        _labeler(release, cols),
        source_line(release),
    )


@dataclass(frozen=True)
class Headline:
    title: str
    value: str
    note: str


@cached_view
def headlines(release: Release) -> list[Headline]:
    """Headline figures, each stating where its number comes from."""
    profile = profile_of(release)
    out = []
    n = release.protected_records
    if n is not None:
        out.append(
            Headline(
                gettext("People in the protected data"),
                format_decimal(n),
                gettext("DP-protected count; the exact number is never published"),
            )
        )
    out.append(
        Headline(
            gettext("Synthetic records"),
            format_decimal(release.n_synthetic),
            gettext("records generated from the DP aggregates"),
        )
    )
    if profile.time:
        frame = q.bars(release, profile.time, ())
        published = frame.loc[frame["status"] == q.PUBLISHED, "value"].tolist()
        if published:
            spans = fig.period_spans(published)  # "2005–2022", not "2005-2013 – 2021-2022"
            first, last = (spans[0][0], spans[-1][1]) if spans else (published[0], published[-1])
            out.append(
                Headline(
                    profile.label(profile.time),
                    f"{first}–{last}",
                    ngettext(
                        "{n} period with published counts", "{n} periods with published counts", len(published)
                    ).format(n=len(published)),
                )
            )
    if profile.geography:
        g = profile.geography[0]
        frame = q.bars(release, g.source, ())
        k = int((frame["status"] == q.PUBLISHED).sum())
        out.append(
            Headline(
                profile.label(g.source),
                (
                    ngettext("{n} country", "{n} countries", k)
                    if g.kind == "iso3"
                    else ngettext("{n} region", "{n} regions", k)
                ).format(n=format_decimal(k)),
                gettext("with a published count"),
            )
        )
    return out


def published_counts(release: Release, key: str) -> findings.Counts:
    """The published counts and SDs of an Overview chart (NaN = not reported), values as readers name them."""
    frame = chart_frame(release, key, ())
    label = _labeler(release, key)
    return findings.Counts(
        tuple(label(v) for v in frame["value"]), frame["published"].to_numpy(float), frame["sd"].to_numpy(float)
    )


#: At most this many key findings open the Overview.
MAX_FINDINGS = 5


@cached_view
def key_findings(release: Release) -> list[findings.Finding]:
    """The Overview's key findings: the most common value of each breakdown and of the main geography,
    from the published DP counts only. ``Finding.chart`` is the profile key of the chart showing it."""
    profile = profile_of(release)
    keys = [*profile.breakdowns, *(g.source for g in profile.geography[:1])]
    n, n_sd = float(release.protected_records), record_count_sd(release)
    return [
        findings.top_finding(
            key,
            profile.term(key),
            profile.unit,
            published_counts(release, key),
            n,
            n_sd,
            overlapping(release, key),
        )
        for key in dict.fromkeys(keys)
    ][:MAX_FINDINGS]


@cached_view
def explore_figure(release: Release, source: str, selections: q.Selections) -> dict:
    """The Explore chart of one column under the current selections (estimate vs published).

    Every value of the column is kept: published, "not reported" (suppressed by DP: a marked bar, never a
    silent gap) or estimated only; bars are sorted by the estimate (SDS Navigate), except for the time
    column, which keeps its order.
    """
    profile = profile_of(release)
    cols = q.bar_columns(release, source, selections)
    order = np.arange(cols["value"].size)
    if profile.time != source:
        order = order[np.lexsort((-np.nan_to_num(cols["published"][order]), -cols["estimated"][order]))]
    cols = {k: v[order] for k, v in cols.items()}
    return fig.comparison_bars(cols, profile.label(source), _labeler(release, source), source_line(release))


def selection_summary(release: Release, selections: q.Selections) -> str:
    """One sentence on the combination of all selections (published, not reported, or not published: longer than R)."""
    if not selections:
        return gettext("All records: {n} people (DP count); {synthetic} synthetic records.").format(
            n=format_decimal(release.protected_records or 0), synthetic=format_decimal(release.n_synthetic)
        )
    c = q.cell(release, selections)
    if c["status"] == q.PUBLISHED:
        what = gettext("published count {count} (95% interval {low}–{high})").format(
            count=format_decimal(c["published"]), low=format_decimal(c["low"]), high=format_decimal(c["high"])
        )
    elif c["status"] == q.NOT_REPORTED:
        what = gettext("published count: not reported (suppressed by differential privacy)")
    else:
        what = gettext("no published count (more than {n} attributes)").format(n=release.reporting_length)
    return gettext("Matching all selections: {what}; {n} synthetic records (estimate).").format(
        what=what, n=format_decimal(c["estimated"])
    )


@cached_view
def explore_panel(release: Release, sources: tuple[str, ...], selections: q.Selections) -> tuple[list[dict], str]:
    """Every Explore figure and the selection summary for one state: one cache entry per state."""
    return [explore_figure(release, s, selections) for s in sources], selection_summary(release, selections)
