"""Access to the per-app services (release store, settings) from layouts and callbacks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g

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


def current(release_id: object = None) -> tuple[Release, Profile] | None:
    """The release of this page view and its profile, or None when nothing is published.

    ``release_id``: the release the page was rendered with (the shell's ``RELEASE_ID`` store), served while it
    is still published; None (or anything but a string): the current release. Resolved once per request
    (flask.g), so one request never mixes two releases even if ``current`` moves meanwhile.
    """
    key = release_id if isinstance(release_id, str) else None
    resolved = g.setdefault("dp_releases", {})
    if key not in resolved:
        resolved[key] = store().pinned(key) if key is not None else store().get()
    release = resolved[key]
    if release is None:
        return None
    return release, profile_of(release)


def newer_release(release_id: object) -> str | None:
    """The current release's id when it was published after ``release_id`` (a page view's release), else None."""
    if not isinstance(release_id, str):
        return None
    shown, latest = current(release_id), current()
    if shown is None or latest is None or latest[0] is shown[0]:
        return None
    if latest[0].metadata.created_at < shown[0].metadata.created_at:  # this worker has not seen it yet
        return None
    return latest[0].release_id


def requires_release(missing: Callable[[], M]) -> Callable[[Callable[..., T]], Callable[..., T | M]]:
    """Decorator factory for the layouts and callbacks that need a release.

    ``fn(release, profile, *args, **kwargs)`` is served as ``fn(*args, release_id=None, **kwargs)``: the
    release of the page view (see :func:`current`) and its profile come first; with nothing published,
    ``missing()`` answers instead.
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T | M]:
        @functools.wraps(fn)
        def with_release(*args: Any, release_id: object = None, **kwargs: Any) -> T | M:
            found = current(release_id)
            if found is None:
                return missing()
            return fn(*found, *args, **kwargs)

        return with_release

    return decorate


def profile_of(release: Release) -> Profile:
    """Resolved profile in the active language, once per release and language (memoised on the release)."""
    lang = i18n.current()
    return release.memo("profile", lang, lambda: resolve_profile(release, lang), size=len(i18n.LANGUAGES))
