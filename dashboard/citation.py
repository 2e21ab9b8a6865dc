"""The citation (About page, footer, every export) and the source line each page states once.

The citation credits two things separately: the original data, as its publisher asks (from the profile's
``original``), and this differentially private release (its id, date and ε), which its original publisher did
not make. The original publisher's year is theirs, never the year of this release.
"""

from __future__ import annotations

from datetime import date

from dashboard.context import profile_of
from dashboard.i18n import gettext
from dashboard.store import Release


def original_credit(release: Release) -> str | None:
    """``Credit (year). Title, version. URL.`` of the original data, if the profile names it."""
    o = profile_of(release).original
    if o is None:
        return None
    title = f"{o.title}, {o.version}" if o.version else o.title
    return f"{o.credit} ({o.year}). {title}." + (f" {o.url}" if o.url else "")


def release_credit(release: Release) -> str:
    """This DP release: its id and date, and what it was derived from."""
    profile = profile_of(release)
    p = release.privacy
    origin = f"the {profile.original.title}" if profile.original else "its private input records (not published)"
    return (
        f"{profile.title}: differentially private release {release.release_id} "
        f"({release.metadata.created_at[:10]}), derived with differential privacy (ε = {p.epsilon_total:g}) "
        f"from {origin} by dp-showcase {release.metadata.software_version}."
    )


def citation_for(release: Release) -> str:
    """Original data, then this release, then the access date."""
    original = original_credit(release)
    parts = [f"Original data: {original}"] if original else []
    parts += [f"This release: {release_credit(release)}", f"Accessed {date.today().isoformat()}."]
    return " ".join(parts)


def source_line(release: Release) -> str:
    """One line naming the release a page's charts come from (also printed inside chart image exports)."""
    p = release.privacy
    original = profile_of(release).original
    origin = (
        "; " + gettext("original data: {credit} ({year})").format(credit=original.credit, year=original.year)
        if original
        else ""
    )
    return gettext(
        "Source: {title}, DP release {release}{origin}. DP aggregates (ε={epsilon}, reporting length {r}); "
        "error bars: 95% intervals."
    ).format(
        title=profile_of(release).title,
        release=release.release_id,
        origin=origin,
        epsilon=p.epsilon,
        r=release.reporting_length,
    )
