"""Access to the per-app services (release store, settings) from layouts and callbacks."""

from __future__ import annotations

from flask import current_app

from dashboard.config import Settings
from dashboard.profile import Profile, resolve_profile
from dashboard.store import Release, ReleaseStore

EXTENSION = "dp_dashboard"


def store() -> ReleaseStore:
    return current_app.extensions[EXTENSION]["store"]


def settings() -> Settings:
    return current_app.extensions[EXTENSION]["settings"]


def current() -> tuple[Release, Profile] | None:
    """The current release and its profile, or None when nothing is published."""
    release = store().get()
    if release is None:
        return None
    return release, profile_of(release)


def profile_of(release: Release) -> Profile:
    """Resolved profile, once per release (memoised on it)."""
    return release.memo("profile", None, lambda: resolve_profile(release))
