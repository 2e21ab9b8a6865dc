"""The view-model cache: flask-caching, its backend chosen by ``DASHBOARD_CACHE_TYPE``.

Only finished view models (figures, headline and summary texts: plain JSON-able values) are kept here,
through :func:`cached_view`, so that gunicorn workers can share them (FileSystemCache; RedisCache across
hosts too) or a benchmark can switch them off (NullCache). Arrays derived from a release stay in the process,
on the release (:mod:`dashboard.memo`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask
from flask_caching import Cache

from dashboard import i18n
from dashboard.config import Settings
from dashboard.store import Release

try:  # the redis package comes with the server extra; without it RedisCache cannot be configured anyway
    from redis.exceptions import RedisError

    CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError,)
except ImportError:  # pragma: no cover - depends on the installed extras
    CACHE_ERRORS = ()

log = logging.getLogger(__name__)
cache = Cache()
#: Prefix of the dashboard's keys in a shared Redis database.
KEY_PREFIX = "dashboard:"
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
    if settings.cache_type == "RedisCache":
        config["CACHE_REDIS_URL"] = settings.cache_redis_url
        config["CACHE_KEY_PREFIX"] = KEY_PREFIX
    cache.init_app(server, config=config)


def cached_view(build: Callable[..., T]) -> Callable[..., T]:
    """Cache ``build(release, *args)`` under ``module.name|release id|language|repr(args)``.

    The release id makes a new release's keys new (no restart, no clear). Arguments after the release are
    positional, with a stable repr (strings, tuples, None); ``build`` never returns None (a cache miss).
    A shared backend that cannot be reached (Redis down) costs speed, not answers: the view is built here.
    """
    prefix = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def view(release: Release, *args: Hashable) -> T:
        key = f"{prefix}|{release.release_id}|{i18n.current()}|{args!r}"
        try:
            value = cache.get(key)
        except CACHE_ERRORS as exc:
            log.warning("view cache unavailable, building %s: %s", prefix, exc)
            return build(release, *args)
        if value is None:
            value = build(release, *args)
            try:
                cache.set(key, value)
            except CACHE_ERRORS as exc:
                log.warning("view cache unavailable, not keeping %s: %s", prefix, exc)
        return value

    return view
