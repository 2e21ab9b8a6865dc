"""View models: the figures and figures' numbers of each page, cached by release id and state.

Every builder goes through :func:`dashboard.cache.cached_view` (the configurable flask-caching backend).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import figures as fig
from dashboard import query as q
from dashboard.cache import cached_view
from dashboard.context import profile_of
from dashboard.store import Release
from synth.stats import Z95


def _source_line(release: Release) -> str:
    p = release.privacy
    title = profile_of(release).title
    return (
        f"Source: {title}, release {release.release_id}. DP aggregates (ε={p.epsilon}, "
        f"reporting length {release.reporting_length}); error bars: 95% intervals."
    )


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


@cached_view
def breakdown_figure(release: Release, key: str, selections: q.Selections = ()) -> dict:
    profile = profile_of(release)
    frame = chart_frame(release, key, selections)
    horizontal = len(frame) > 6 or frame["value"].map(lambda v: len(str(v))).max() > 14
    return fig.shown_bars(frame, profile.label(key), _labeler(release, key), _source_line(release), horizontal)


@cached_view
def trend_figure(release: Release) -> dict:
    profile = profile_of(release)
    if profile.time is None:
        return fig.empty_figure("This dataset has no time column.")
    frame = chart_frame(release, profile.time, ())
    spans = fig.period_spans(frame["value"])
    if spans is None:
        per = "per period"
    else:  # years: drawn on a year axis, unequal periods to scale
        per = "per year (longer periods: yearly average)" if any(b > a for a, b in spans) else "per year"
    title = f"{profile.label(profile.time)}: records {per}"
    return fig.shown_bars(frame, title, _labeler(release, profile.time), _source_line(release), spans=spans)


def headline_share(
    count: float, published: np.ndarray, sd: float, n: int, multi_value: bool
) -> tuple[float, float, int]:
    """(share, 95 % half-width, denominator) of a published count among the people with a recorded value.

    For a single-value column the denominator is the sum of its published counts (people whose value is
    recorded and published), never everyone: unknowns are not a value. Each count carries independent noise of
    sd ``sd``, so by the delta method var(c/K) = sd²·(r² + c²·(m-1))/K⁴ with K the sum, r = K - c and m the
    number of counts. A multi-value column's counts overlap (one person, several values): its share is of all
    n people (the DP record count), with half-width Z95·sd/n.
    """
    if multi_value or published.sum() <= 0:
        return count / n, (Z95 * sd / n if np.isfinite(sd) else 0.0), n
    total = float(published.sum())
    rest, m = total - count, published.size
    var = sd**2 * (rest**2 + count**2 * (m - 1)) / total**4 if np.isfinite(sd) else 0.0
    return count / total, Z95 * float(np.sqrt(var)), int(round(total))


@cached_view
def map_figure(release: Release, geo: str | None) -> dict:
    profile = profile_of(release)
    geos = {g.source: g for g in profile.geography}
    if not geos:
        return fig.empty_figure("This dataset has no geography column.")
    g = (geos.get(geo) if geo is not None else None) or profile.geography[0]
    frame = chart_frame(release, g.source, ())
    title = f"{profile.label(g.source)}: records by {'country' if g.kind == 'iso3' else 'region'}"
    if g.kind == "iso3":
        return fig.country_map(frame, title, _labeler(release, g.source), _source_line(release))
    return fig.region_map(frame, title, _labeler(release, g.source), _source_line(release), profile.region_centroids)


@cached_view
def relationship_figure(release: Release) -> dict:
    profile = profile_of(release)
    if profile.relationship is None:
        return fig.empty_figure("No relationship chart for this dataset.")
    rows, cols = profile.relationship
    frame = q.crosstab(release, [rows, cols], ())
    return fig.heatmap(
        frame,
        rows,
        cols,
        f"{profile.label(rows)} × {profile.label(cols)}",
        _labeler(release, rows),
        _labeler(release, cols),
        _source_line(release),
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
                "People in the protected data", f"{n:,}", "DP-protected count; the exact number is never published"
            )
        )
    out.append(Headline("Synthetic records", f"{release.n_synthetic:,}", "records generated from the DP aggregates"))
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
                    f"{len(published)} periods with published counts",
                )
            )
    if profile.geography:
        g = profile.geography[0]
        frame = q.bars(release, g.source, ())
        k = int((frame["status"] == q.PUBLISHED).sum())
        out.append(
            Headline(
                profile.label(g.source),
                f"{k:,} {'countries' if g.kind == 'iso3' else 'regions'}",
                "with a published count",
            )
        )
    for key in profile.breakdowns:
        if key in release.dimensions and n:
            frame = q.bars(release, key, ()).dropna(subset=["published"])
            if len(frame):
                top = frame.loc[frame["published"].idxmax()]
                share, half, of = headline_share(
                    float(top["published"]),
                    frame["published"].to_numpy(float),
                    float(top["sd"]),
                    n,
                    release.dimensions[key].multi_value,
                )
                who = "people" if of == n else f"people with a recorded {profile.label(key).lower()}"
                out.append(
                    Headline(
                        f"{profile.label(key)}: {profile.value_label(key, top['value'])}",
                        f"{share:.0%}",
                        f"of {of:,} {who} (±{half:.1%}, 95% interval)",
                    )
                )
                break
    return out


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
    return fig.comparison_bars(cols, profile.label(source), _labeler(release, source), _source_line(release))


def selection_summary(release: Release, selections: q.Selections) -> str:
    """One sentence on the combination of all selections (published, not reported or beyond R)."""
    if not selections:
        return (
            f"All records: {release.protected_records or 0:,} people (DP count); "
            f"{release.n_synthetic:,} synthetic records."
        )
    c = q.cell(release, selections)
    if c["status"] == q.PUBLISHED:
        what = f"published count {c['published']:,.0f} (95% interval {c['low']:,.0f}–{c['high']:,.0f})"
    elif c["status"] == q.NOT_REPORTED:
        what = "published count: not reported (suppressed by differential privacy)"
    else:
        what = f"no published count (more than {release.reporting_length} attributes)"
    return f"Matching all selections: {what}; {c['estimated']:,} synthetic records (estimate)."


@cached_view
def explore_panel(release: Release, sources: tuple[str, ...], selections: q.Selections) -> tuple[list[dict], str]:
    """Every Explore figure and the selection summary for one state: one cache entry per state."""
    return [explore_figure(release, s, selections) for s in sources], selection_summary(release, selections)
