"""The view-model cache: flask-caching, its backend chosen by ``DASHBOARD_CACHE_TYPE``.

Only finished view models (figures, headline and summary texts: plain JSON-able values) are kept here,
through :func:`cached_view`, so that gunicorn workers can share them (FileSystemCache) or a benchmark
can switch them off (NullCache). Arrays derived from a release stay in the process, on the release
(:mod:`dashboard.memo`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask
from flask_caching import Cache

from dashboard import i18n
from dashboard.config import Settings
from dashboard.store import Release

cache = Cache()
T = TypeVar("T")


def init_cache(server: Flask, settings: Settings) -> None:
    config = {
        "CACHE_TYPE": settings.cache_type,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
        "CACHE_THRESHOLD": 2000,
    }
    if settings.cache_type == "FileSystemCache":
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        config["CACHE_DIR"] = str(settings.cache_dir)
    cache.init_app(server, config=config)


def cached_view(build: Callable[..., T]) -> Callable[..., T]:
    """Cache ``build(release, *args)`` under ``module.name|release id|language|repr(args)``.

    The release id makes a new release's keys new (no restart, no clear). Arguments after the release are
    positional, with a stable repr (strings, tuples, None); ``build`` never returns None (a cache miss).
    """
    prefix = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def view(release: Release, *args: Hashable) -> T:
        key = f"{prefix}|{release.release_id}|{i18n.current()}|{args!r}"
        value = cache.get(key)
        if value is None:
            value = build(release, *args)
            cache.set(key, value)
        return value

    return view
