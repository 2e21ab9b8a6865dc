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
    values = {
        "title": profile.title,
        "release": release.release_id,
        "date": release.metadata.created_at[:10],
        "epsilon": f"{release.privacy.epsilon_total:g}",
        "version": release.metadata.software_version,
    }
    if profile.original:
        return gettext(
            "{title}: differentially private release {release} ({date}), derived with differential privacy "
            "(ε = {epsilon}) from the {original} by dp-showcase {version}."
        ).format(original=profile.original.title, **values)
    return gettext(
        "{title}: differentially private release {release} ({date}), derived with differential privacy "
        "(ε = {epsilon}) from its private input records (not published) by dp-showcase {version}."
    ).format(**values)


def citation_parts(release: Release) -> list[str]:
    """The citation's two parts, shown as two paragraphs: the original data (if the profile names it), then
    this release with the access date."""
    original = original_credit(release)
    parts = [gettext("Original data: {credit}").format(credit=original)] if original else []
    this = gettext("This release: {credit}").format(credit=release_credit(release))
    return [*parts, this + " " + gettext("Accessed {date}.").format(date=date.today().isoformat())]


def citation_for(release: Release) -> str:
    """The citation on one line (exports' ``# citation:`` header, the API): original data, then this release,
    then the access date."""
    return " ".join(citation_parts(release))


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
