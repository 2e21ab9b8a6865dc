"""The citation text shown on the About page and carried by every export."""

from __future__ import annotations

from datetime import date

from dashboard.context import profile_of
from dashboard.store import Release


def citation_for(release: Release) -> str:
    """The dataset's citation with [year]/[date] filled in, plus the release id."""
    profile = profile_of(release)
    cite = profile.citation or release.dataset.citation or profile.title
    year = release.metadata.created_at[:4] or str(date.today().year)
    cite = cite.replace("[year]", year).replace("[date]", date.today().isoformat())
    return f"{cite} Release {release.release_id}."
