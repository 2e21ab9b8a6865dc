"""Access to the per-app services (release store, settings) from layouts and callbacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from dashboard import i18n
from dashboard.config import Settings
from dashboard.profile import Profile, resolve_profile
from dashboard.store import Release, ReleaseStore

EXTENSION = "dp_dashboard"
T = TypeVar("T")
M = TypeVar("M")


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


def requires_release(missing: Callable[[], M]) -> Callable[[Callable[..., T]], Callable[..., T | M]]:
    """Decorator factory for the layouts and callbacks that need a release.

    ``fn(release, profile, *args, **kwargs)`` is served as ``fn(*args, **kwargs)``: the current release and
    its profile come first; with nothing published, ``missing()`` answers instead.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T | M]:
        @functools.wraps(fn)
        def with_release(*args: Any, **kwargs: Any) -> T | M:
            found = current()
            if found is None:
                return missing()
            return fn(*found, *args, **kwargs)

        return with_release

    return decorate


def profile_of(release: Release) -> Profile:
    """Resolved profile in the active language, once per release and language (memoised on the release)."""
    lang = i18n.current()
    return release.memo("profile", lang, lambda: resolve_profile(release, lang), size=len(i18n.LANGUAGES))
